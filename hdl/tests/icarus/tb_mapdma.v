// Icarus Verilog testbench for the generated mapdma Verilog (module `mapdma`, default configuration).
//
// Run by hdl/tests/icarus.rs, which writes `regmap.vh` (localparams generated from mapdma-regmap:
// register offsets, field shifts/masks, reset values, configuration, enum codes) next to this
// file and the generated `mapdma.v`. Plain Verilog, one clock, synchronous active-high reset.
// Everything the testbench drives changes with nonblocking assignments at the rising edge and
// everything it observes is sampled at the rising edge, like the design's own flip-flops.
//
// Output: progress lines, one `FAIL: ...` line and $finish at the first mismatch, or `PASS`.
//
// Scenario: registers (MAP writes and read-back, MASTER_CLEAR, ID/VERSION/CONFIG, SLVERR for a
// hole), then a write transfer (channel 1, device -> memory, 8-bit units, single mode, 4 units)
// and a read transfer (channel 2, memory -> device, 16-bit units, block mode, 3 units) through
// the map registers into an AXI4 memory model, then mask writes to an auto-initialize channel
// with a one-unit count (channel 3).

`timescale 1ns / 1ps

// The only place that knows the generated Verilog's port names (a per-channel device port is
// `devN_field`). If the generator renames its ports, change this module only.
module dut_wrap (
    input  wire         clock,
    input  wire         reset,
    input  wire [12:0]  s_axil_awaddr,
    input  wire         s_axil_awvalid,
    output wire         s_axil_awready,
    input  wire [31:0]  s_axil_wdata,
    input  wire [3:0]   s_axil_wstrb,
    input  wire         s_axil_wvalid,
    output wire         s_axil_wready,
    output wire [1:0]   s_axil_bresp,
    output wire         s_axil_bvalid,
    input  wire         s_axil_bready,
    input  wire [12:0]  s_axil_araddr,
    input  wire         s_axil_arvalid,
    output wire         s_axil_arready,
    output wire [31:0]  s_axil_rdata,
    output wire [1:0]   s_axil_rresp,
    output wire         s_axil_rvalid,
    input  wire         s_axil_rready,
    output wire [31:0]  m_axi_awaddr,
    output wire [7:0]   m_axi_awlen,
    output wire [2:0]   m_axi_awsize,
    output wire [1:0]   m_axi_awburst,
    output wire         m_axi_awvalid,
    input  wire         m_axi_awready,
    output wire [31:0]  m_axi_wdata,
    output wire [3:0]   m_axi_wstrb,
    output wire         m_axi_wlast,
    output wire         m_axi_wvalid,
    input  wire         m_axi_wready,
    input  wire [1:0]   m_axi_bresp,
    input  wire         m_axi_bvalid,
    output wire         m_axi_bready,
    output wire [31:0]  m_axi_araddr,
    output wire [7:0]   m_axi_arlen,
    output wire [2:0]   m_axi_arsize,
    output wire [1:0]   m_axi_arburst,
    output wire         m_axi_arvalid,
    input  wire         m_axi_arready,
    input  wire [31:0]  m_axi_rdata,
    input  wire [1:0]   m_axi_rresp,
    input  wire         m_axi_rlast,
    input  wire         m_axi_rvalid,
    output wire         m_axi_rready,
    // Per-channel device ports, channel n in bit n (or bits 32n+31:32n).
    input  wire [3:0]   dreq,
    output wire [3:0]   dack,
    input  wire [127:0] src_data,
    input  wire [3:0]   src_valid,
    output wire [3:0]   src_ready,
    output wire [127:0] snk_data,
    output wire [3:0]   snk_valid,
    input  wire [3:0]   snk_ready,
    output wire [3:0]   snk_last,
    input  wire [3:0]   eop_in,
    output wire [3:0]   eop_out,
    output wire         irq
);
    mapdma dut (
        .clock(clock), .reset(reset),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(m_axi_bready),
        .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen), .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready),
        // The bus-master port is not exercised here: every input held inactive.
        .s_bm_axi_awaddr(32'h0), .s_bm_axi_awlen(8'h0), .s_bm_axi_awsize(3'h0),
        .s_bm_axi_awburst(2'h0), .s_bm_axi_awvalid(1'b0), .s_bm_axi_wdata(32'h0),
        .s_bm_axi_wstrb(4'h0), .s_bm_axi_wlast(1'b0), .s_bm_axi_wvalid(1'b0),
        .s_bm_axi_bready(1'b0), .s_bm_axi_araddr(32'h0), .s_bm_axi_arlen(8'h0),
        .s_bm_axi_arsize(3'h0), .s_bm_axi_arburst(2'h0), .s_bm_axi_arvalid(1'b0),
        .s_bm_axi_rready(1'b0), .m_bm_axi_awready(1'b0), .m_bm_axi_wready(1'b0),
        .m_bm_axi_bresp(2'h0), .m_bm_axi_bvalid(1'b0), .m_bm_axi_arready(1'b0),
        .m_bm_axi_rdata(32'h0), .m_bm_axi_rresp(2'h0), .m_bm_axi_rlast(1'b0),
        .m_bm_axi_rvalid(1'b0),
        .dev0_dreq(dreq[0]), .dev0_dack(dack[0]),
        .dev0_src_data(src_data[31:0]), .dev0_src_valid(src_valid[0]),
        .dev0_src_ready(src_ready[0]), .dev0_snk_data(snk_data[31:0]),
        .dev0_snk_valid(snk_valid[0]), .dev0_snk_ready(snk_ready[0]),
        .dev0_snk_last(snk_last[0]), .dev0_eop_in(eop_in[0]), .dev0_eop_out(eop_out[0]),
        .dev1_dreq(dreq[1]), .dev1_dack(dack[1]),
        .dev1_src_data(src_data[63:32]), .dev1_src_valid(src_valid[1]),
        .dev1_src_ready(src_ready[1]), .dev1_snk_data(snk_data[63:32]),
        .dev1_snk_valid(snk_valid[1]), .dev1_snk_ready(snk_ready[1]),
        .dev1_snk_last(snk_last[1]), .dev1_eop_in(eop_in[1]), .dev1_eop_out(eop_out[1]),
        .dev2_dreq(dreq[2]), .dev2_dack(dack[2]),
        .dev2_src_data(src_data[95:64]), .dev2_src_valid(src_valid[2]),
        .dev2_src_ready(src_ready[2]), .dev2_snk_data(snk_data[95:64]),
        .dev2_snk_valid(snk_valid[2]), .dev2_snk_ready(snk_ready[2]),
        .dev2_snk_last(snk_last[2]), .dev2_eop_in(eop_in[2]), .dev2_eop_out(eop_out[2]),
        .dev3_dreq(dreq[3]), .dev3_dack(dack[3]),
        .dev3_src_data(src_data[127:96]), .dev3_src_valid(src_valid[3]),
        .dev3_src_ready(src_ready[3]), .dev3_snk_data(snk_data[127:96]),
        .dev3_snk_valid(snk_valid[3]), .dev3_snk_ready(snk_ready[3]),
        .dev3_snk_last(snk_last[3]), .dev3_eop_in(eop_in[3]), .dev3_eop_out(eop_out[3]),
        .irq(irq)
    );
endmodule

module tb;
`include "regmap.vh"

    // ---- Scenario constants -------------------------------------------------------------------
    // Memory model: MEM_WORDS 32-bit words from MEM_BASE (two 4 KiB frames).
    localparam [31:0] FRAME_W = 32'h345;            // frame of the write transfer's page
    localparam [31:0] FRAME_R = 32'h346;            // frame of the read transfer's page
    localparam [31:0] MEM_BASE = FRAME_W << MAPDMA_PAGE_SHIFT;
    localparam integer MEM_WORDS = 2 * (MAPDMA_PAGE_SIZE / 4);
    // Write transfer: channel 1, logical 0x1_2010 (page register 1, address 0x2010).
    localparam integer WCH = 1;
    localparam [15:0] W_PAGE = 16'h0001;
    localparam [15:0] W_ADDR = 16'h2010;
    localparam integer W_UNITS = 4;
    // Read transfer: channel 2, logical 0x1_3020, 16-bit units.
    localparam integer RCH = 2;
    localparam [15:0] R_PAGE = 16'h0001;
    localparam [15:0] R_ADDR = 16'h3020;
    localparam integer R_UNITS = 3;
    // Auto-initialize channel with a one-unit count, only programmed and masked.
    localparam integer XCH = 3;
    localparam [31:0] W_LOGICAL = {W_PAGE, W_ADDR};
    localparam [31:0] R_LOGICAL = {R_PAGE, R_ADDR};
    localparam integer W_MAP_INDEX = W_LOGICAL >> MAPDMA_PAGE_SHIFT;
    localparam integer R_MAP_INDEX = R_LOGICAL >> MAPDMA_PAGE_SHIFT;
    localparam [31:0] W_PHYS = (FRAME_W << MAPDMA_PAGE_SHIFT)
                             | (W_LOGICAL & (MAPDMA_PAGE_SIZE - 1));
    localparam [31:0] R_PHYS = (FRAME_R << MAPDMA_PAGE_SHIFT)
                             | (R_LOGICAL & (MAPDMA_PAGE_SIZE - 1));
    localparam integer MAX_WAIT = 2000;             // clocks any single wait may take

    // ---- Clock, reset, DUT ----------------------------------------------------------------
    reg clock = 1'b0;
    reg reset = 1'b1;
    always #5 clock = ~clock;

    reg  [12:0]  s_axil_awaddr = 0;
    reg          s_axil_awvalid = 0;
    wire         s_axil_awready;
    reg  [31:0]  s_axil_wdata = 0;
    reg  [3:0]   s_axil_wstrb = 0;
    reg          s_axil_wvalid = 0;
    wire         s_axil_wready;
    wire [1:0]   s_axil_bresp;
    wire         s_axil_bvalid;
    reg          s_axil_bready = 0;
    reg  [12:0]  s_axil_araddr = 0;
    reg          s_axil_arvalid = 0;
    wire         s_axil_arready;
    wire [31:0]  s_axil_rdata;
    wire [1:0]   s_axil_rresp;
    wire         s_axil_rvalid;
    reg          s_axil_rready = 0;

    wire [31:0]  m_axi_awaddr;
    wire [7:0]   m_axi_awlen;
    wire [2:0]   m_axi_awsize;
    wire [1:0]   m_axi_awburst;
    wire         m_axi_awvalid;
    wire         m_axi_awready;
    wire [31:0]  m_axi_wdata;
    wire [3:0]   m_axi_wstrb;
    wire         m_axi_wlast;
    wire         m_axi_wvalid;
    wire         m_axi_wready;
    reg  [1:0]   m_axi_bresp = 0;
    reg          m_axi_bvalid = 0;
    wire         m_axi_bready;
    wire [31:0]  m_axi_araddr;
    wire [7:0]   m_axi_arlen;
    wire [2:0]   m_axi_arsize;
    wire [1:0]   m_axi_arburst;
    wire         m_axi_arvalid;
    wire         m_axi_arready;
    reg  [31:0]  m_axi_rdata = 0;
    reg  [1:0]   m_axi_rresp = 0;
    reg          m_axi_rlast = 0;
    reg          m_axi_rvalid = 0;
    wire         m_axi_rready;

    reg  [3:0]   dreq = 0;
    wire [3:0]   dack;
    reg  [127:0] src_data = 0;
    reg  [3:0]   src_valid = 0;
    wire [3:0]   src_ready;
    wire [127:0] snk_data;
    wire [3:0]   snk_valid;
    reg  [3:0]   snk_ready = 0;
    wire [3:0]   snk_last;
    reg  [3:0]   eop_in = 0;
    wire [3:0]   eop_out;
    wire         irq;

    dut_wrap u (
        .clock(clock), .reset(reset),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr), .s_axil_arvalid(s_axil_arvalid),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(s_axil_rready),
        .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(m_axi_awready), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid), .m_axi_bready(m_axi_bready),
        .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen), .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(m_axi_arready), .m_axi_rdata(m_axi_rdata), .m_axi_rresp(m_axi_rresp),
        .m_axi_rlast(m_axi_rlast), .m_axi_rvalid(m_axi_rvalid), .m_axi_rready(m_axi_rready),
        .dreq(dreq), .dack(dack), .src_data(src_data), .src_valid(src_valid),
        .src_ready(src_ready), .snk_data(snk_data), .snk_valid(snk_valid),
        .snk_ready(snk_ready), .snk_last(snk_last), .eop_in(eop_in), .eop_out(eop_out),
        .irq(irq)
    );

    // ---- Reporting --------------------------------------------------------------------------
    // vvp's stdout is a file when run from the test: flush, so a killed run still shows progress.
    task note(input [8*72-1:0] msg);
        begin
            $display("[%0t] %0s", $time, msg);
            $fflush;
        end
    endtask

    task fail(input [8*72-1:0] msg);
        begin
            $display("FAIL: [%0t] %0s", $time, msg);
            $fflush;
            $finish;
        end
    endtask

    task check(input [8*48-1:0] what, input [31:0] got, input [31:0] want);
        begin
            if (got !== want) begin
                $display("FAIL: [%0t] %0s: got 0x%08h, want 0x%08h", $time, what, got, want);
                $fflush;
                $finish;
            end
        end
    endtask

    // ---- AXI4-Lite master -------------------------------------------------------------------
    integer waited;

    task axil_write(input [31:0] addr, input [31:0] data, input [1:0] want_resp);
        reg aw_done, w_done;
        begin
            @(posedge clock);
            s_axil_awaddr <= addr[12:0];
            s_axil_awvalid <= 1'b1;
            s_axil_wdata <= data;
            s_axil_wstrb <= 4'hF;
            s_axil_wvalid <= 1'b1;
            s_axil_bready <= 1'b1;
            aw_done = 1'b0;
            w_done = 1'b0;
            waited = 0;
            while (!(aw_done && w_done)) begin
                @(posedge clock);
                if (s_axil_awvalid && s_axil_awready) begin
                    aw_done = 1'b1;
                    s_axil_awvalid <= 1'b0;
                end
                if (s_axil_wvalid && s_axil_wready) begin
                    w_done = 1'b1;
                    s_axil_wvalid <= 1'b0;
                end
                waited = waited + 1;
                if (waited > MAX_WAIT) fail("AXI4-Lite write: AW/W never accepted");
            end
            // B may already be valid in the clock W was accepted; wait for the handshake.
            waited = 0;
            while (!(s_axil_bvalid && s_axil_bready)) begin
                @(posedge clock);
                waited = waited + 1;
                if (waited > MAX_WAIT) fail("AXI4-Lite write: no B response");
            end
            // The handshake happened at this edge.
            if (s_axil_bresp !== want_resp) begin
                $display("FAIL: [%0t] write 0x%04h = 0x%08h: BRESP %0d, want %0d", $time, addr,
                         data, s_axil_bresp, want_resp);
                $fflush;
                $finish;
            end
            s_axil_bready <= 1'b0;
        end
    endtask

    task axil_read(input [31:0] addr, input [1:0] want_resp, output [31:0] data);
        begin
            @(posedge clock);
            s_axil_araddr <= addr[12:0];
            s_axil_arvalid <= 1'b1;
            s_axil_rready <= 1'b1;
            waited = 0;
            @(posedge clock);
            while (!(s_axil_arvalid && s_axil_arready)) begin
                @(posedge clock);
                waited = waited + 1;
                if (waited > MAX_WAIT) fail("AXI4-Lite read: AR never accepted");
            end
            s_axil_arvalid <= 1'b0;
            waited = 0;
            @(posedge clock);
            while (!(s_axil_rvalid && s_axil_rready)) begin
                @(posedge clock);
                waited = waited + 1;
                if (waited > MAX_WAIT) fail("AXI4-Lite read: no R response");
            end
            data = s_axil_rdata;
            s_axil_rready <= 1'b0;
            if (s_axil_rresp !== want_resp) begin
                $display("FAIL: [%0t] read 0x%04h: RRESP %0d, want %0d", $time, addr,
                         s_axil_rresp, want_resp);
                $fflush;
                $finish;
            end
            if (want_resp != 2'd0 && data !== 32'h0) begin
                $display("FAIL: [%0t] read 0x%04h answered an error with data 0x%08h", $time,
                         addr, data);
                $fflush;
                $finish;
            end
        end
    endtask

    task wr(input [31:0] addr, input [31:0] data);
        axil_write(addr, data, 2'd0);
    endtask

    task rd_check(input [8*48-1:0] what, input [31:0] addr, input [31:0] want);
        reg [31:0] d;
        begin
            axil_read(addr, 2'd0, d);
            check(what, d, want);
        end
    endtask

    // 16-bit 8237 register through its byte port: clear the flip-flop, LSB, then MSB.
    task rd16(input [31:0] addr, output [15:0] value);
        reg [31:0] lo, hi;
        begin
            wr(MAPDMA_CLEAR_FLIP_FLOP, 0);
            axil_read(addr, 2'd0, lo);
            axil_read(addr, 2'd0, hi);
            value = {hi[7:0], lo[7:0]};
        end
    endtask

    task wr16(input [31:0] addr, input [15:0] value);
        begin
            wr(MAPDMA_CLEAR_FLIP_FLOP, 0);
            wr(addr, value[7:0]);
            wr(addr, value[15:8]);
        end
    endtask

    // ---- AXI4 memory slave: single beats, one transaction per direction at a time ----------
    reg  [31:0] mem [0:MEM_WORDS-1];
    reg         aw_held = 0, w_held = 0;
    reg  [31:0] aw_addr_h, w_data_h;
    reg  [3:0]  w_strb_h;
    reg  [2:0]  aw_size_h;
    reg         ar_busy = 0;
    integer     b_count = 0, r_count = 0;
    integer     k;
    reg  [31:0] last_awaddr, last_wdata;
    reg  [3:0]  last_wstrb;
    reg  [31:0] w_log_addr [0:15];
    reg  [3:0]  w_log_strb [0:15];
    reg  [2:0]  w_log_size [0:15];
    reg  [31:0] r_log_addr [0:15];
    reg  [2:0]  r_log_size [0:15];

    assign m_axi_awready = !aw_held;
    assign m_axi_wready = !w_held;
    assign m_axi_arready = !ar_busy;

    function in_mem(input [31:0] a);
        in_mem = (a >= MEM_BASE) && (a < MEM_BASE + 4 * MEM_WORDS);
    endfunction

    always @(posedge clock) begin
        if (reset) begin
            aw_held <= 1'b0;
            w_held <= 1'b0;
            m_axi_bvalid <= 1'b0;
            ar_busy <= 1'b0;
            m_axi_rvalid <= 1'b0;
        end else begin
            if (m_axi_awvalid && m_axi_awready) begin
                if (m_axi_awlen !== 8'd0 || m_axi_awburst !== 2'd1)
                    fail("AXI write is not a single-beat INCR");
                aw_held <= 1'b1;
                aw_addr_h <= m_axi_awaddr;
                aw_size_h <= m_axi_awsize;
            end
            if (m_axi_wvalid && m_axi_wready) begin
                if (m_axi_wlast !== 1'b1) fail("AXI write beat without WLAST");
                w_held <= 1'b1;
                w_data_h <= m_axi_wdata;
                w_strb_h <= m_axi_wstrb;
            end
            if (aw_held && w_held && !m_axi_bvalid) begin
                if (!in_mem(aw_addr_h)) begin
                    $display("FAIL: [%0t] AXI write to 0x%08h, outside the modelled memory",
                             $time, aw_addr_h);
                    $fflush;
                    $finish;
                end
                for (k = 0; k < 4; k = k + 1)
                    if (w_strb_h[k])
                        mem[(aw_addr_h - MEM_BASE) >> 2][8*k +: 8] <= w_data_h[8*k +: 8];
                if (b_count < 16) begin
                    w_log_addr[b_count] <= aw_addr_h;
                    w_log_strb[b_count] <= w_strb_h;
                    w_log_size[b_count] <= aw_size_h;
                end
                last_awaddr <= aw_addr_h;
                last_wdata <= w_data_h;
                last_wstrb <= w_strb_h;
                b_count <= b_count + 1;
                m_axi_bvalid <= 1'b1;
                m_axi_bresp <= 2'd0;
                aw_held <= 1'b0;
                w_held <= 1'b0;
            end
            if (m_axi_bvalid && m_axi_bready) m_axi_bvalid <= 1'b0;

            if (m_axi_arvalid && m_axi_arready) begin
                if (m_axi_arlen !== 8'd0 || m_axi_arburst !== 2'd1)
                    fail("AXI read is not a single-beat INCR");
                if (!in_mem(m_axi_araddr)) begin
                    $display("FAIL: [%0t] AXI read of 0x%08h, outside the modelled memory",
                             $time, m_axi_araddr);
                    $fflush;
                    $finish;
                end
                if (r_count < 16) begin
                    r_log_addr[r_count] <= m_axi_araddr;
                    r_log_size[r_count] <= m_axi_arsize;
                end
                r_count <= r_count + 1;
                ar_busy <= 1'b1;
                m_axi_rvalid <= 1'b1;
                m_axi_rdata <= mem[(m_axi_araddr - MEM_BASE) >> 2];
                m_axi_rresp <= 2'd0;
                m_axi_rlast <= 1'b1;
            end
            if (m_axi_rvalid && m_axi_rready) begin
                m_axi_rvalid <= 1'b0;
                ar_busy <= 1'b0;
            end
        end
    end

    // ---- Devices ----------------------------------------------------------------------------
    // Write-transfer source on channel WCH: W_UNITS bytes, upper bits junk (WSTRB must drop them).
    reg         src_armed = 0;
    integer     src_next = 0;
    integer     src_taken_bad = 0;
    function [31:0] src_unit(input integer i);
        src_unit = 32'hEEEEEE00 | (8'hA1 + 8'h11 * i);
    endfunction

    // Read-transfer sink on channel RCH: ready every other clock (exercises RREADY).
    reg         snk_armed = 0;
    integer     snk_got = 0;
    reg  [31:0] snk_log [0:15];
    reg         snk_last_log [0:15];
    reg         snk_tick = 0;

    integer     eop_count [0:3];
    integer     ch, ch0;
    initial for (ch0 = 0; ch0 < 4; ch0 = ch0 + 1) eop_count[ch0] = 0;

    always @(posedge clock) begin
        if (!reset) begin
            // Source: DREQ while units remain; DACK (active low after reset) with every unit taken.
            if (src_valid[WCH] && src_ready[WCH]) begin
                if (dack[WCH] !== 1'b0) src_taken_bad = src_taken_bad + 1;
                src_next = src_next + 1;
            end
            if (src_armed && src_next < W_UNITS) begin
                dreq[WCH] <= 1'b1;
                src_valid[WCH] <= 1'b1;
                src_data[32*WCH +: 32] <= src_unit(src_next);
            end else begin
                dreq[WCH] <= 1'b0;
                src_valid[WCH] <= 1'b0;
                src_data[32*WCH +: 32] <= 32'h0;
            end
            // Sink.
            if (snk_valid[RCH] && snk_ready[RCH]) begin
                if (snk_got < 16) begin
                    snk_log[snk_got] <= snk_data[32*RCH +: 32];
                    snk_last_log[snk_got] <= snk_last[RCH];
                end
                snk_got = snk_got + 1;
            end
            dreq[RCH] <= snk_armed && snk_got == 0;
            snk_tick <= !snk_tick;
            snk_ready[RCH] <= snk_armed && snk_tick;
            for (ch = 0; ch < 4; ch = ch + 1)
                if (eop_out[ch]) eop_count[ch] = eop_count[ch] + 1;
        end
    end

    // ---- Scenario -----------------------------------------------------------------------------
    reg [31:0] d;
    reg [15:0] v16;
    integer i;
    reg [31:0] entry;
    reg [7:0] mode_w, mode_r, mode_x;

    function [31:0] map_entry(input [31:0] frame, input [31:0] writable, input [31:0] valid);
        map_entry = ((frame << MAPDMA_MAP_FRAME_SHIFT) & MAPDMA_MAP_FRAME_MASK)
                  | ((writable << MAPDMA_MAP_DEVICE_MAY_WRITE_SHIFT) & MAPDMA_MAP_DEVICE_MAY_WRITE_MASK)
                  | ((valid << MAPDMA_MAP_VALID_SHIFT) & MAPDMA_MAP_VALID_MASK);
    endfunction

    // Initial memory contents: a pattern that differs from word to word and byte to byte.
    function [31:0] init_word(input integer i);
        init_word = 32'h5AC33CA5 ^ {4{i[7:0]}};
    endfunction

    function [31:0] init_byte(input [31:0] phys);
        init_byte = (init_word((phys - MEM_BASE) >> 2) >> (8 * phys[1:0])) & 32'hFF;
    endfunction

    function [31:0] byte_at(input [31:0] phys);
        reg [31:0] w;
        begin
            w = mem[(phys - MEM_BASE) >> 2];
            byte_at = (w >> (8 * phys[1:0])) & 32'hFF;
        end
    endfunction

    initial begin
        for (i = 0; i < MEM_WORDS; i = i + 1)
            mem[i] = init_word(i);

        if (MAPDMA_CHANNELS != 4) fail("dut_wrap is wired for four channels");
        repeat (4) @(posedge clock);
        reset <= 1'b0;
        repeat (2) @(posedge clock);
        note("reset released");

        // -- Registers: the sequence of the Icarus zero-delay-loop report -------------------
        wr(MAPDMA_MAP + MAPDMA_MAP_STRIDE * W_MAP_INDEX, map_entry(FRAME_W, 1, 1));
        wr(MAPDMA_MAP + MAPDMA_MAP_STRIDE * R_MAP_INDEX, map_entry(FRAME_R, 0, 1));
        wr(MAPDMA_MAP + MAPDMA_MAP_STRIDE * 0, 32'h3FFF_FFFF);   // bits outside the entry
        wr(MAPDMA_MAP + MAPDMA_MAP_STRIDE * (MAPDMA_MAP_INSTANCES - 1), map_entry(32'h7, 1, 0));
        note("MAP registers written");
        rd_check("MAP[write page] read-back", MAPDMA_MAP + MAPDMA_MAP_STRIDE * W_MAP_INDEX,
                 map_entry(FRAME_W, 1, 1));
        note("MAP register read back");
        wr(MAPDMA_MASTER_CLEAR, 0);
        note("MASTER_CLEAR written");
        rd_check("MAP[0] (masked to its fields)", MAPDMA_MAP,
                 32'h3FFF_FFFF & (MAPDMA_MAP_FRAME_MASK | MAPDMA_MAP_DEVICE_MAY_WRITE_MASK
                                  | MAPDMA_MAP_VALID_MASK));
        rd_check("MAP[last]", MAPDMA_MAP + MAPDMA_MAP_STRIDE * (MAPDMA_MAP_INSTANCES - 1),
                 map_entry(32'h7, 1, 0));
        rd_check("MAP[read page]", MAPDMA_MAP + MAPDMA_MAP_STRIDE * R_MAP_INDEX,
                 map_entry(FRAME_R, 0, 1));
        rd_check("ID", MAPDMA_ID, MAPDMA_ID_RESET);
        rd_check("VERSION", MAPDMA_VERSION, MAPDMA_VERSION_RESET);
        rd_check("CONFIG0", MAPDMA_CONFIG0, MAPDMA_CONFIG0_RESET);
        rd_check("CONFIG1", MAPDMA_CONFIG1, MAPDMA_CONFIG1_RESET);
        rd_check("INT_ENABLE after reset", MAPDMA_INT_ENABLE, MAPDMA_INT_ENABLE_RESET);
        rd_check("ALL_MASK after master clear", MAPDMA_ALL_MASK, MAPDMA_ALL_MASK_RESET);
        rd_check("CH_CONFIG[1] after reset", MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * WCH,
                 MAPDMA_CH_CONFIG_RESET);
        // No register behind these: SLVERR both ways, reads return 0.
        axil_read(MAPDMA_MAP + MAPDMA_MAP_STRIDE * MAPDMA_MAP_INSTANCES, 2'd2, d);
        axil_write(MAPDMA_MAP + MAPDMA_MAP_STRIDE * MAPDMA_MAP_INSTANCES, 32'h1, 2'd2);
        axil_read(TB_UNMAPPED, 2'd2, d);
        axil_write(TB_UNMAPPED, 32'h1, 2'd2);
        note("registers checked");

        // -- Write transfer: channel WCH, device -> memory, bytes, single mode ---------------
        mode_w = (WCH << MAPDMA_MODE_CHANNEL_SHIFT)
               | (MAPDMA_TRANSFER_WRITE << MAPDMA_MODE_TRANSFER_SHIFT)
               | (MAPDMA_SERVICE_SINGLE << MAPDMA_MODE_MODE_SHIFT);
        wr16(MAPDMA_DMA_ADDR + MAPDMA_DMA_ADDR_STRIDE * WCH, W_ADDR);
        wr16(MAPDMA_DMA_COUNT + MAPDMA_DMA_COUNT_STRIDE * WCH, W_UNITS - 1);
        wr(MAPDMA_PAGE + MAPDMA_PAGE_STRIDE * WCH, W_PAGE);
        wr(MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * WCH,
           MAPDMA_WIDTH_BITS8 << MAPDMA_CH_CONFIG_WIDTH_SHIFT);
        wr(MAPDMA_MODE, mode_w);
        wr(MAPDMA_INT_ENABLE, ((1 << WCH) << MAPDMA_INT_ENABLE_TC_SHIFT)
                              | MAPDMA_INT_ENABLE_FAULT_MASK);
        rd_check("CH_CONFIG[1] programmed", MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * WCH,
                 ((mode_w & ~MAPDMA_MODE_CHANNEL_MASK) << MAPDMA_CH_CONFIG_MODE_SHIFT)
                 | MAPDMA_CH_CONFIG_MASKED_MASK);
        rd16(MAPDMA_DMA_ADDR + MAPDMA_DMA_ADDR_STRIDE * WCH, v16);
        check("DMA_ADDR[1] programmed", v16, W_ADDR);
        rd16(MAPDMA_DMA_COUNT + MAPDMA_DMA_COUNT_STRIDE * WCH, v16);
        check("DMA_COUNT[1] programmed", v16, W_UNITS - 1);
        check("irq before the transfer", irq, 0);
        src_armed = 1'b1;
        wr(MAPDMA_SINGLE_MASK, (WCH << MAPDMA_SINGLE_MASK_CHANNEL_SHIFT)
                               | (0 << MAPDMA_SINGLE_MASK_SET_SHIFT));
        note("write transfer started");
        waited = 0;
        while (b_count < W_UNITS) begin
            @(posedge clock);
            waited = waited + 1;
            if (waited > MAX_WAIT) fail("write transfer: memory writes missing");
        end
        repeat (8) @(posedge clock);
        note("write transfer done");
        check("source units taken", src_next, W_UNITS);
        check("units taken without DACK active", src_taken_bad, 0);
        check("AXI writes", b_count, W_UNITS);
        check("eop_out pulses of channel 1", eop_count[WCH], 1);
        for (i = 0; i < W_UNITS; i = i + 1) begin
            check("write: AWADDR", w_log_addr[i], W_PHYS + i);
            check("write: AWSIZE", w_log_size[i], 0);
            check("write: WSTRB", w_log_strb[i], 4'b0001 << ((W_PHYS + i) & 3));
            check("write: byte in memory", byte_at(W_PHYS + i), src_unit(i) & 32'hFF);
        end
        check("byte before the buffer untouched", byte_at(W_PHYS - 1), init_byte(W_PHYS - 1));
        check("byte after the buffer untouched", byte_at(W_PHYS + W_UNITS),
              init_byte(W_PHYS + W_UNITS));
        rd16(MAPDMA_DMA_ADDR + MAPDMA_DMA_ADDR_STRIDE * WCH, v16);
        check("DMA_ADDR[1] after the transfer", v16, W_ADDR + W_UNITS);
        rd16(MAPDMA_DMA_COUNT + MAPDMA_DMA_COUNT_STRIDE * WCH, v16);
        check("DMA_COUNT[1] after the transfer", v16, 16'hFFFF);
        rd_check("SNAP_COUNT[1]", MAPDMA_SNAP_COUNT + MAPDMA_SNAP_COUNT_STRIDE * WCH,
                 (16'hFFFF << MAPDMA_SNAP_COUNT_COUNT_SHIFT)
                 | (1 << MAPDMA_SNAP_COUNT_PASSES_SHIFT));
        rd_check("SNAP_ADDR[1]", MAPDMA_SNAP_ADDR + MAPDMA_SNAP_ADDR_STRIDE * WCH,
                 {W_PAGE, W_ADDR + W_UNITS[15:0]});
        rd_check("STATUS: TC of channel 1", MAPDMA_STATUS, (1 << WCH) << MAPDMA_STATUS_TC_SHIFT);
        rd_check("STATUS: TC cleared by the read", MAPDMA_STATUS, 0);
        rd_check("INT_STATUS: TC of channel 1", MAPDMA_INT_STATUS,
                 (1 << WCH) << MAPDMA_INT_STATUS_TC_SHIFT);
        check("irq after the transfer", irq, 1);
        wr(MAPDMA_INT_STATUS, (1 << WCH) << MAPDMA_INT_STATUS_TC_SHIFT);
        rd_check("INT_STATUS cleared", MAPDMA_INT_STATUS, 0);
        check("irq after INT_STATUS clear", irq, 0);
        rd_check("CH_CONFIG[1]: masked at terminal count",
                 MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * WCH,
                 ((mode_w & ~MAPDMA_MODE_CHANNEL_MASK) << MAPDMA_CH_CONFIG_MODE_SHIFT)
                 | MAPDMA_CH_CONFIG_MASKED_MASK);
        rd_check("FAULT_CAUSE", MAPDMA_FAULT_CAUSE, 0);

        // -- Read transfer: channel RCH, memory -> device, 16-bit units, block mode ---------
        mode_r = (RCH << MAPDMA_MODE_CHANNEL_SHIFT)
               | (MAPDMA_TRANSFER_READ << MAPDMA_MODE_TRANSFER_SHIFT)
               | (MAPDMA_SERVICE_BLOCK << MAPDMA_MODE_MODE_SHIFT);
        wr16(MAPDMA_DMA_ADDR + MAPDMA_DMA_ADDR_STRIDE * RCH, R_ADDR);
        wr16(MAPDMA_DMA_COUNT + MAPDMA_DMA_COUNT_STRIDE * RCH, R_UNITS - 1);
        wr(MAPDMA_PAGE + MAPDMA_PAGE_STRIDE * RCH, R_PAGE);
        wr(MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * RCH,
           MAPDMA_WIDTH_BITS16 << MAPDMA_CH_CONFIG_WIDTH_SHIFT);
        wr(MAPDMA_MODE, mode_r);
        snk_armed = 1'b1;
        wr(MAPDMA_SINGLE_MASK, (RCH << MAPDMA_SINGLE_MASK_CHANNEL_SHIFT)
                               | (0 << MAPDMA_SINGLE_MASK_SET_SHIFT));
        note("read transfer started");
        waited = 0;
        while (snk_got < R_UNITS) begin
            @(posedge clock);
            waited = waited + 1;
            if (waited > MAX_WAIT) fail("read transfer: units missing at the device");
        end
        repeat (8) @(posedge clock);
        note("read transfer done");
        check("units delivered", snk_got, R_UNITS);
        check("AXI reads", r_count, R_UNITS);
        check("eop_out pulses of channel 2", eop_count[RCH], 1);
        for (i = 0; i < R_UNITS; i = i + 1) begin
            check("read: ARADDR", r_log_addr[i], R_PHYS + 2 * i);
            check("read: ARSIZE", r_log_size[i], 1);
            check("read: unit at the device",
                  snk_log[i], (byte_at(R_PHYS + 2 * i + 1) << 8) | byte_at(R_PHYS + 2 * i));
            check("read: snk_last", snk_last_log[i], i == R_UNITS - 1);
        end
        rd16(MAPDMA_DMA_ADDR + MAPDMA_DMA_ADDR_STRIDE * RCH, v16);
        check("DMA_ADDR[2] after the transfer", v16, R_ADDR + 2 * R_UNITS);
        rd16(MAPDMA_DMA_COUNT + MAPDMA_DMA_COUNT_STRIDE * RCH, v16);
        check("DMA_COUNT[2] after the transfer", v16, 16'hFFFF);
        rd_check("STATUS: TC of channel 2", MAPDMA_STATUS, (1 << RCH) << MAPDMA_STATUS_TC_SHIFT);
        check("AXI writes after the read transfer", b_count, W_UNITS);
        rd_check("FAULT_CAUSE after both transfers", MAPDMA_FAULT_CAUSE, 0);

        // -- Register writes that strobe an auto-initialize channel with a one-unit count (count
        // and base count 0 since reset): channel outputs that depend on that state must not
        // glitch back into the strobes (a zero-delay loop seen with such a channel).
        mode_x = (XCH << MAPDMA_MODE_CHANNEL_SHIFT)
               | (MAPDMA_TRANSFER_VERIFY << MAPDMA_MODE_TRANSFER_SHIFT)
               | (1 << MAPDMA_MODE_AUTOINIT_SHIFT)
               | (MAPDMA_SERVICE_SINGLE << MAPDMA_MODE_MODE_SHIFT);
        wr(MAPDMA_MODE, mode_x);
        wr(MAPDMA_SINGLE_MASK, (XCH << MAPDMA_SINGLE_MASK_CHANNEL_SHIFT)
                               | (1 << MAPDMA_SINGLE_MASK_SET_SHIFT));
        wr(MAPDMA_ALL_MASK, 32'hF);
        rd_check("CH_CONFIG[3]: auto-initialize, masked",
                 MAPDMA_CH_CONFIG + MAPDMA_CH_CONFIG_STRIDE * XCH,
                 ((mode_x & ~MAPDMA_MODE_CHANNEL_MASK) << MAPDMA_CH_CONFIG_MODE_SHIFT)
                 | MAPDMA_CH_CONFIG_MASKED_MASK);
        rd_check("ALL_MASK after writing 0xF", MAPDMA_ALL_MASK, 32'hFF);
        note("mask writes to an auto-initialize one-unit channel done");

        $display("PASS");
        $fflush;
        $finish;
    end
endmodule
