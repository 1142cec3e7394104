// Formal harness for mapdma (small configuration: one channel, four map registers), checked
// by bounded model checking with Yosys' SMT flow (yosys-smtbmc + z3). The Rust test
// `mapdma-verify/tests/formal.rs` generates the Verilog, includes `top_props.vh` into module
// `mapdma` and runs this; `formal/README.md` says how to run it by hand.
//
// Everything here sees only the ports of `mapdma`:
// - assumptions: reset in the first clock only; the AXI4-Lite master holds VALID with a stable
//   payload until READY and presents AW and W together; a map-register write puts frame i into
//   entry i (so a physical frame names the logical page it came from); the AXI4 memory slave
//   answers only transactions it accepted, single beats, with VALID held and payload stable;
// - assertions: AXI4 master VALID never drops before READY and its payload stays stable
//   (AR, AW, W); single-beat INCR transfers of at most 32 bits at aligned addresses with the
//   strobes of the unit; BREADY always high; outstanding counts within the configuration;
//   no memory access through a map entry that was not valid (and, for writes, device-writable)
//   within the last F_MAP_LAG clocks.
// `top_props.vh` adds the white-box 8237 rules (count, address, terminal count,
// auto-initialize, flip-flop).

`default_nettype none

module mapdma_formal #(
    // Outstanding transactions per direction (the configuration's `outstanding`).
    parameter OUTSTANDING = 32
) (
    input wire clock,
    input wire reset,
    input wire [12:0] s_axil_awaddr,
    input wire s_axil_awvalid,
    input wire [31:0] s_axil_wdata,
    input wire [3:0] s_axil_wstrb,
    input wire s_axil_wvalid,
    input wire s_axil_bready,
    input wire [12:0] s_axil_araddr,
    input wire s_axil_arvalid,
    input wire s_axil_rready,
    input wire m_axi_awready,
    input wire m_axi_wready,
    input wire [1:0] m_axi_bresp,
    input wire m_axi_bvalid,
    input wire m_axi_arready,
    input wire [31:0] m_axi_rdata,
    input wire [1:0] m_axi_rresp,
    input wire m_axi_rlast,
    input wire m_axi_rvalid,
    input wire dev_dreq,
    input wire [31:0] dev_src_data,
    input wire dev_src_valid,
    input wire dev_snk_ready,
    input wire dev_eop_in
);
    // Configuration (Config::small()).
    localparam MAP_COUNT = 4;
    localparam PAGE_SHIFT = 12;
    localparam MAP_BASE = 13'h1000;
    // Clocks by which a map-register change may lag behind the AXI4-Lite B response that
    // acknowledged it, as seen on the memory bus (the select/translate pipeline).
    localparam F_MAP_LAG = 2;

    wire s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid;
    wire [1:0] s_axil_bresp, s_axil_rresp;
    wire [31:0] s_axil_rdata;
    wire [31:0] m_axi_awaddr, m_axi_wdata, m_axi_araddr;
    wire [7:0] m_axi_awlen, m_axi_arlen;
    wire [2:0] m_axi_awsize, m_axi_arsize;
    wire [1:0] m_axi_awburst, m_axi_arburst;
    wire m_axi_awvalid, m_axi_wlast, m_axi_wvalid, m_axi_bready, m_axi_arvalid, m_axi_rready;
    wire [3:0] m_axi_wstrb;
    wire dev_dack, dev_src_ready, dev_snk_valid, dev_snk_last, dev_eop_out, irq;
    wire [31:0] dev_snk_data;

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
        .dev0_dreq(dev_dreq), .dev0_dack(dev_dack),
        .dev0_src_data(dev_src_data), .dev0_src_valid(dev_src_valid),
        .dev0_src_ready(dev_src_ready), .dev0_snk_data(dev_snk_data),
        .dev0_snk_valid(dev_snk_valid), .dev0_snk_ready(dev_snk_ready),
        .dev0_snk_last(dev_snk_last), .dev0_eop_in(dev_eop_in),
        .dev0_eop_out(dev_eop_out), .irq(irq)
    );

    reg f_past_valid = 1'b0;
    always @(posedge clock) f_past_valid <= 1'b1;

    // ---------------------------------------------------------------------------------------
    // Assumptions
    // ---------------------------------------------------------------------------------------

    // Reset in the first clock, never again.
    always @(*) assume(reset == !f_past_valid);

    // AXI4-Lite master: AW and W together, VALID held with a stable payload until READY.
    always @(*) assume(s_axil_awvalid == s_axil_wvalid);
    always @(posedge clock) if (f_past_valid) begin
        if ($past(s_axil_awvalid && !s_axil_awready)) begin
            assume(s_axil_awvalid);
            assume(s_axil_awaddr == $past(s_axil_awaddr));
        end
        if ($past(s_axil_wvalid && !s_axil_wready)) begin
            assume(s_axil_wvalid);
            assume(s_axil_wdata == $past(s_axil_wdata));
            assume(s_axil_wstrb == $past(s_axil_wstrb));
        end
        if ($past(s_axil_arvalid && !s_axil_arready)) begin
            assume(s_axil_arvalid);
            assume(s_axil_araddr == $past(s_axil_araddr));
        end
    end
    // Map entry i always gets frame i: a physical frame then names its logical page.
    wire f_map_aw = s_axil_awaddr >= MAP_BASE && ((s_axil_awaddr - MAP_BASE) >> 2) < MAP_COUNT;
    wire [1:0] f_map_aw_index = s_axil_awaddr[3:2];
    always @(*) if (s_axil_awvalid && f_map_aw)
        assume(s_axil_wdata[19:0] == {18'b0, f_map_aw_index});

    // AXI4 memory slave: answers only what it accepted, one beat per transaction, VALID held
    // with a stable payload until READY.
    reg [7:0] f_aw_count = 0, f_w_count = 0, f_b_count = 0, f_ar_count = 0, f_r_count = 0;
    always @(posedge clock) begin
        if (m_axi_awvalid && m_axi_awready) f_aw_count <= f_aw_count + 1;
        if (m_axi_wvalid && m_axi_wready) f_w_count <= f_w_count + 1;
        if (m_axi_bvalid && m_axi_bready) f_b_count <= f_b_count + 1;
        if (m_axi_arvalid && m_axi_arready) f_ar_count <= f_ar_count + 1;
        if (m_axi_rvalid && m_axi_rready) f_r_count <= f_r_count + 1;
    end
    wire [7:0] f_writes_done = (f_aw_count < f_w_count) ? f_aw_count : f_w_count;
    wire [7:0] f_writes_out = f_aw_count - f_b_count;
    wire [7:0] f_reads_out = f_ar_count - f_r_count;
    always @(*) begin
        if (m_axi_bvalid) assume(f_writes_done != f_b_count);
        if (m_axi_rvalid) assume(f_reads_out != 0);
        assume(m_axi_rlast);
    end
    // VALID held with a stable payload until READY: `axi4_handshake_props` below.

    // ---------------------------------------------------------------------------------------
    // AXI4 master protocol
    // ---------------------------------------------------------------------------------------

    // AR, AW and W VALID held with a stable payload until READY; the memory's R and B
    // likewise (assumed).
    axi4_handshake_props m_axi_handshake (
        .clock(clock),
        .reset(reset),
        .arvalid(m_axi_arvalid),
        .arready(m_axi_arready),
        .araddr(m_axi_araddr),
        .arlen(m_axi_arlen),
        .arsize(m_axi_arsize),
        .arburst(m_axi_arburst),
        .awvalid(m_axi_awvalid),
        .awready(m_axi_awready),
        .awaddr(m_axi_awaddr),
        .awlen(m_axi_awlen),
        .awsize(m_axi_awsize),
        .awburst(m_axi_awburst),
        .wvalid(m_axi_wvalid),
        .wready(m_axi_wready),
        .wdata(m_axi_wdata),
        .wstrb(m_axi_wstrb),
        .wlast(m_axi_wlast),
        .rvalid(m_axi_rvalid),
        .rready(m_axi_rready),
        .rdata(m_axi_rdata),
        .rresp(m_axi_rresp),
        .rlast(m_axi_rlast),
        .bvalid(m_axi_bvalid),
        .bready(m_axi_bready),
        .bresp(m_axi_bresp)
    );

    // The byte lanes of a single unit of 2^size bytes at addr.
    function [3:0] f_lanes(input [2:0] size, input [1:0] addr);
        f_lanes = (size == 0) ? (4'b0001 << addr) :
                  (size == 1) ? (4'b0011 << {addr[1], 1'b0}) : 4'b1111;
    endfunction

    always @(*) if (!reset) begin
        assert(m_axi_bready);
        if (m_axi_arvalid) begin
            assert(m_axi_arlen == 0 && m_axi_arburst == 2'b01 && m_axi_arsize <= 2);
            assert((m_axi_araddr & ((32'h1 << m_axi_arsize) - 1)) == 0);
        end
        if (m_axi_awvalid) begin
            assert(m_axi_awlen == 0 && m_axi_awburst == 2'b01 && m_axi_awsize <= 2);
            assert((m_axi_awaddr & ((32'h1 << m_axi_awsize) - 1)) == 0);
        end
        if (m_axi_wvalid) assert(m_axi_wlast && m_axi_wstrb != 0);
        // AW and W of one unit go out together: whenever both are offered they are one unit.
        if (m_axi_awvalid && m_axi_wvalid)
            assert(m_axi_wstrb == f_lanes(m_axi_awsize, m_axi_awaddr[1:0]));
        assert(f_writes_out <= OUTSTANDING && f_reads_out <= OUTSTANDING);
        // Responses never outnumber requests (the slave assumptions make this an invariant).
        assert(f_b_count <= f_aw_count && f_r_count <= f_ar_count);
    end

    // ---------------------------------------------------------------------------------------
    // Translation: no memory access through an invalid (or, for writes, read-only) entry
    // ---------------------------------------------------------------------------------------

    // Shadow map, updated when the write's B response appears (the slave's write has taken
    // effect by then). Power-up contents are invalid, like the hardware's.
    reg [12:0] f_lite_aw = 0;
    reg [31:0] f_lite_wdata = 0;
    reg [3:0] f_lite_wstrb = 0;
    reg f_past_bvalid = 0;
    always @(posedge clock) begin
        if (s_axil_awvalid && s_axil_awready) f_lite_aw <= s_axil_awaddr;
        if (s_axil_wvalid && s_axil_wready) begin
            f_lite_wdata <= s_axil_wdata;
            f_lite_wstrb <= s_axil_wstrb;
        end
        f_past_bvalid <= s_axil_bvalid;
    end
    wire f_b_new = s_axil_bvalid && !f_past_bvalid;
    wire f_lite_map = f_lite_aw >= MAP_BASE && ((f_lite_aw - MAP_BASE) >> 2) < MAP_COUNT;

    reg [MAP_COUNT-1:0] f_valid = 0, f_writable = 0;
    // The entries' states in the last F_MAP_LAG clocks, newest in the low bits.
    reg [MAP_COUNT*F_MAP_LAG-1:0] f_valid_hist = 0, f_wr_hist = 0;
    always @(posedge clock) begin
        f_valid_hist <= {f_valid_hist, f_valid};
        f_wr_hist <= {f_wr_hist, f_valid & f_writable};
        if (f_b_new && s_axil_bresp == 2'b00 && f_lite_map && f_lite_wstrb != 0) begin
            f_valid[f_lite_aw[3:2]] <= f_lite_wdata[31];
            f_writable[f_lite_aw[3:2]] <= f_lite_wdata[30];
        end
    end
    reg [MAP_COUNT-1:0] f_valid_recent, f_wr_recent;
    integer f_k;
    always @(*) begin
        f_valid_recent = f_valid;
        f_wr_recent = f_valid & f_writable;
        for (f_k = 0; f_k < F_MAP_LAG; f_k = f_k + 1) begin
            f_valid_recent = f_valid_recent | f_valid_hist[f_k*MAP_COUNT +: MAP_COUNT];
            f_wr_recent = f_wr_recent | f_wr_hist[f_k*MAP_COUNT +: MAP_COUNT];
        end
    end

    // A request is new unless it is the one offered (and not taken) in the clock before.
    reg f_ar_held = 0, f_aw_held = 0;
    always @(posedge clock) begin
        f_ar_held <= !reset && m_axi_arvalid && !m_axi_arready;
        f_aw_held <= !reset && m_axi_awvalid && !m_axi_awready;
    end
    wire f_ar_new = m_axi_arvalid && !f_ar_held;
    wire f_aw_new = m_axi_awvalid && !f_aw_held;
    wire [19:0] f_ar_frame = m_axi_araddr[31:PAGE_SHIFT];
    wire [19:0] f_aw_frame = m_axi_awaddr[31:PAGE_SHIFT];
    always @(*) if (!reset) begin
        if (f_ar_new) begin
            assert(f_ar_frame < MAP_COUNT);
            assert(f_valid_recent[f_ar_frame[1:0]]);
        end
        if (f_aw_new) begin
            assert(f_aw_frame < MAP_COUNT);
            assert(f_wr_recent[f_aw_frame[1:0]]);
        end
    end
endmodule
