// The AXI4 handshake rules both formal harnesses need on a master port of `mapdma` (the
// engine's `m_axi_*`, the bus-master port's `m_bm_axi_*`), in one place: instantiate it on the
// port's signals. It asserts the master's side (AR, AW and W VALID held until READY with the
// payload stable) and assumes the memory's side (R and B VALID held until READY with the
// payload stable). What a harness assumes about *which* responses the memory may send, and its
// own checks of addresses and lengths, stay in the harness.

`default_nettype none

module axi4_handshake_props (
    input wire clock,
    input wire reset,
    input wire arvalid,
    input wire arready,
    input wire [31:0] araddr,
    input wire [7:0] arlen,
    input wire [2:0] arsize,
    input wire [1:0] arburst,
    input wire awvalid,
    input wire awready,
    input wire [31:0] awaddr,
    input wire [7:0] awlen,
    input wire [2:0] awsize,
    input wire [1:0] awburst,
    input wire wvalid,
    input wire wready,
    input wire [31:0] wdata,
    input wire [3:0] wstrb,
    input wire wlast,
    input wire rvalid,
    input wire rready,
    input wire [31:0] rdata,
    input wire [1:0] rresp,
    input wire rlast,
    input wire bvalid,
    input wire bready,
    input wire [1:0] bresp
);
    reg f_past_valid = 1'b0;
    always @(posedge clock) f_past_valid <= 1'b1;

    // The memory: a response, once offered, stays until taken.
    always @(posedge clock) if (f_past_valid) begin
        if ($past(rvalid && !rready)) begin
            assume(rvalid);
            assume(rdata == $past(rdata));
            assume(rresp == $past(rresp));
            assume(rlast == $past(rlast));
        end
        if ($past(bvalid && !bready)) begin
            assume(bvalid);
            assume(bresp == $past(bresp));
        end
    end

    // The master: a request, once offered, stays until taken.
    always @(posedge clock) if (f_past_valid && !$past(reset)) begin
        if ($past(arvalid && !arready)) begin
            assert(arvalid);
            assert(araddr == $past(araddr));
            assert(arlen == $past(arlen));
            assert(arsize == $past(arsize));
            assert(arburst == $past(arburst));
        end
        if ($past(awvalid && !awready)) begin
            assert(awvalid);
            assert(awaddr == $past(awaddr));
            assert(awlen == $past(awlen));
            assert(awsize == $past(awsize));
            assert(awburst == $past(awburst));
        end
        if ($past(wvalid && !wready)) begin
            assert(wvalid);
            assert(wdata == $past(wdata));
            assert(wstrb == $past(wstrb));
            assert(wlast == $past(wlast));
        end
    end
endmodule
