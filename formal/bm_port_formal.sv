// Formal harness for mapdma's bus-master translation port (hdl/DESIGN.md §8), for the small
// configuration with the port (`Config::small()` with `bus_master_port`: four map registers of
// 4 KiB pages). Checked by bounded model checking with Yosys' SMT flow like
// `mapdma_formal.sv`; the Rust test `mapdma-verify/tests/formal_bm.rs` runs it and
// `formal/README.md` describes it.
//
// Everything here sees only the ports of `mapdma`. The register bus writes map registers only
// (entry i always gets frame i, so a physical address equals the logical address it was
// translated from) and never reads; the DMA engine's device and memory inputs are tied idle, so
// the engine stays masked and the solver's work is the port's.
// - assumptions: reset in the first clock only; AXI4-Lite AW and W together, VALID held with a
//   stable payload; the bus-master device (s_bm_axi) holds AR/AW/W VALID with a stable payload
//   until READY, has at most one read and one write burst outstanding, sends W beats only for
//   the burst whose AW it offers or has had accepted (WLAST on beat AWLEN+1), and picks any
//   address, length, size and burst type; the memory (m_bm_axi) answers only bursts it
//   accepted (ARLEN+1 R beats with RLAST on the last; B after the last W), VALID held with a
//   stable payload;
// - assertions: AXI4 master rules on m_bm_axi (VALID held, payload stable, INCR, at most 16
//   beats of at most 32 bits, never leaving the page); a memory read only through an entry
//   valid within the last F_MAP_LAG clocks, a memory write (AW and every W beat) only through
//   one valid and device-writable; nothing outside the mapped range; the translated burst is
//   the device's (address, length, size) and goes out once; a refused read gets exactly
//   ARLEN+1 beats (RLAST on the last, data 0), a refused write exactly one B after its last W
//   beat, with the DESIGN §8 response of its cause (BAD_BURST SLVERR, OUT_OF_RANGE DECERR,
//   INVALID DECERR, READ_ONLY SLVERR, PAGE_CROSS SLVERR), the interrupt raised by the clock
//   after; a refusal is
//   always justified by one of those causes; translated bursts pass data and responses
//   through unchanged.

`default_nettype none

module mapdma_bm_formal (
    input wire clock,
    input wire reset,
    // Register bus: which map register, VALID and DEVICE_MAY_WRITE of the entry written.
    input wire [1:0] f_map_index,
    input wire f_map_valid,
    input wire f_map_writable,
    input wire s_axil_awvalid,
    input wire [3:0] s_axil_wstrb,
    input wire s_axil_wvalid,
    input wire s_axil_bready,
    // Bus-master device.
    input wire [31:0] s_bm_axi_awaddr,
    input wire [7:0] s_bm_axi_awlen,
    input wire [2:0] s_bm_axi_awsize,
    input wire [1:0] s_bm_axi_awburst,
    input wire s_bm_axi_awvalid,
    input wire [31:0] s_bm_axi_wdata,
    input wire [3:0] s_bm_axi_wstrb,
    input wire s_bm_axi_wlast,
    input wire s_bm_axi_wvalid,
    input wire s_bm_axi_bready,
    input wire [31:0] s_bm_axi_araddr,
    input wire [7:0] s_bm_axi_arlen,
    input wire [2:0] s_bm_axi_arsize,
    input wire [1:0] s_bm_axi_arburst,
    input wire s_bm_axi_arvalid,
    input wire s_bm_axi_rready,
    // Memory behind the port.
    input wire m_bm_axi_awready,
    input wire m_bm_axi_wready,
    input wire [1:0] m_bm_axi_bresp,
    input wire m_bm_axi_bvalid,
    input wire m_bm_axi_arready,
    input wire [31:0] m_bm_axi_rdata,
    input wire [1:0] m_bm_axi_rresp,
    input wire m_bm_axi_rlast,
    input wire m_bm_axi_rvalid
);
    // Configuration (Config::small() with the port).
    localparam MAP_COUNT = 4;
    localparam PAGE_SHIFT = 12;
    localparam PAGE_BYTES = 4096;
    localparam [12:0] MAP_BASE = 13'h1000;
    // Clocks by which a map-register change may lag behind the AXI4-Lite B response that
    // acknowledged it, as seen at the port's memory side (the same reasoning as
    // mapdma_formal.sv: the shadow map below changes with B).
    localparam F_MAP_LAG = 2;
    localparam [1:0] OKAY = 2'b00, SLVERR = 2'b10, DECERR = 2'b11, INCR = 2'b01;

    wire [12:0] s_axil_awaddr = MAP_BASE | {9'b0, f_map_index, 2'b00};
    wire [31:0] s_axil_wdata = {f_map_valid, f_map_writable, 28'b0, f_map_index};
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
    wire s_bm_axi_awready, s_bm_axi_wready, s_bm_axi_bvalid, s_bm_axi_arready;
    wire s_bm_axi_rlast, s_bm_axi_rvalid;
    wire [1:0] s_bm_axi_bresp, s_bm_axi_rresp;
    wire [31:0] s_bm_axi_rdata;
    wire [31:0] m_bm_axi_awaddr, m_bm_axi_wdata, m_bm_axi_araddr;
    wire [7:0] m_bm_axi_awlen, m_bm_axi_arlen;
    wire [2:0] m_bm_axi_awsize, m_bm_axi_arsize;
    wire [1:0] m_bm_axi_awburst, m_bm_axi_arburst;
    wire [3:0] m_bm_axi_wstrb;
    wire m_bm_axi_awvalid, m_bm_axi_wlast, m_bm_axi_wvalid, m_bm_axi_bready;
    wire m_bm_axi_arvalid, m_bm_axi_rready;

    mapdma dut (
        .clock(clock), .reset(reset),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awvalid(s_axil_awvalid),
        .s_axil_awready(s_axil_awready), .s_axil_wdata(s_axil_wdata),
        .s_axil_wstrb(s_axil_wstrb), .s_axil_wvalid(s_axil_wvalid),
        .s_axil_wready(s_axil_wready), .s_axil_bresp(s_axil_bresp),
        .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready),
        .s_axil_araddr(13'b0), .s_axil_arvalid(1'b0),
        .s_axil_arready(s_axil_arready), .s_axil_rdata(s_axil_rdata),
        .s_axil_rresp(s_axil_rresp), .s_axil_rvalid(s_axil_rvalid),
        .s_axil_rready(1'b1),
        .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen), .m_axi_awsize(m_axi_awsize),
        .m_axi_awburst(m_axi_awburst), .m_axi_awvalid(m_axi_awvalid),
        .m_axi_awready(1'b1), .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb),
        .m_axi_wlast(m_axi_wlast), .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(1'b1),
        .m_axi_bresp(2'b00), .m_axi_bvalid(1'b0), .m_axi_bready(m_axi_bready),
        .m_axi_araddr(m_axi_araddr), .m_axi_arlen(m_axi_arlen), .m_axi_arsize(m_axi_arsize),
        .m_axi_arburst(m_axi_arburst), .m_axi_arvalid(m_axi_arvalid),
        .m_axi_arready(1'b1), .m_axi_rdata(32'b0), .m_axi_rresp(2'b00),
        .m_axi_rlast(1'b1), .m_axi_rvalid(1'b0), .m_axi_rready(m_axi_rready),
        .dev0_dreq(1'b0), .dev0_dack(dev_dack),
        .dev0_src_data(32'b0), .dev0_src_valid(1'b0),
        .dev0_src_ready(dev_src_ready), .dev0_snk_data(dev_snk_data),
        .dev0_snk_valid(dev_snk_valid), .dev0_snk_ready(1'b0),
        .dev0_snk_last(dev_snk_last), .dev0_eop_in(1'b0),
        .dev0_eop_out(dev_eop_out), .irq(irq),
        .s_bm_axi_awaddr(s_bm_axi_awaddr), .s_bm_axi_awlen(s_bm_axi_awlen),
        .s_bm_axi_awsize(s_bm_axi_awsize), .s_bm_axi_awburst(s_bm_axi_awburst),
        .s_bm_axi_awvalid(s_bm_axi_awvalid), .s_bm_axi_awready(s_bm_axi_awready),
        .s_bm_axi_wdata(s_bm_axi_wdata), .s_bm_axi_wstrb(s_bm_axi_wstrb),
        .s_bm_axi_wlast(s_bm_axi_wlast), .s_bm_axi_wvalid(s_bm_axi_wvalid),
        .s_bm_axi_wready(s_bm_axi_wready), .s_bm_axi_bresp(s_bm_axi_bresp),
        .s_bm_axi_bvalid(s_bm_axi_bvalid), .s_bm_axi_bready(s_bm_axi_bready),
        .s_bm_axi_araddr(s_bm_axi_araddr), .s_bm_axi_arlen(s_bm_axi_arlen),
        .s_bm_axi_arsize(s_bm_axi_arsize), .s_bm_axi_arburst(s_bm_axi_arburst),
        .s_bm_axi_arvalid(s_bm_axi_arvalid), .s_bm_axi_arready(s_bm_axi_arready),
        .s_bm_axi_rdata(s_bm_axi_rdata), .s_bm_axi_rresp(s_bm_axi_rresp),
        .s_bm_axi_rlast(s_bm_axi_rlast), .s_bm_axi_rvalid(s_bm_axi_rvalid),
        .s_bm_axi_rready(s_bm_axi_rready),
        .m_bm_axi_awaddr(m_bm_axi_awaddr), .m_bm_axi_awlen(m_bm_axi_awlen),
        .m_bm_axi_awsize(m_bm_axi_awsize), .m_bm_axi_awburst(m_bm_axi_awburst),
        .m_bm_axi_awvalid(m_bm_axi_awvalid), .m_bm_axi_awready(m_bm_axi_awready),
        .m_bm_axi_wdata(m_bm_axi_wdata), .m_bm_axi_wstrb(m_bm_axi_wstrb),
        .m_bm_axi_wlast(m_bm_axi_wlast), .m_bm_axi_wvalid(m_bm_axi_wvalid),
        .m_bm_axi_wready(m_bm_axi_wready), .m_bm_axi_bresp(m_bm_axi_bresp),
        .m_bm_axi_bvalid(m_bm_axi_bvalid), .m_bm_axi_bready(m_bm_axi_bready),
        .m_bm_axi_araddr(m_bm_axi_araddr), .m_bm_axi_arlen(m_bm_axi_arlen),
        .m_bm_axi_arsize(m_bm_axi_arsize), .m_bm_axi_arburst(m_bm_axi_arburst),
        .m_bm_axi_arvalid(m_bm_axi_arvalid), .m_bm_axi_arready(m_bm_axi_arready),
        .m_bm_axi_rdata(m_bm_axi_rdata), .m_bm_axi_rresp(m_bm_axi_rresp),
        .m_bm_axi_rlast(m_bm_axi_rlast), .m_bm_axi_rvalid(m_bm_axi_rvalid),
        .m_bm_axi_rready(m_bm_axi_rready)
    );

    reg f_past_valid = 1'b0;
    always @(posedge clock) f_past_valid <= 1'b1;
    always @(*) assume(reset == !f_past_valid);

    // ---------------------------------------------------------------------------------------
    // Register bus: map-register writes only, and the shadow map they build
    // ---------------------------------------------------------------------------------------

    always @(*) assume(s_axil_awvalid == s_axil_wvalid);
    always @(posedge clock) if (f_past_valid && $past(s_axil_awvalid && !s_axil_awready)) begin
        assume(s_axil_awvalid);
        assume(f_map_index == $past(f_map_index));
        assume(f_map_valid == $past(f_map_valid));
        assume(f_map_writable == $past(f_map_writable));
        assume(s_axil_wstrb == $past(s_axil_wstrb));
    end

    reg [1:0] f_lite_index = 0;
    reg f_lite_valid = 0, f_lite_writable = 0, f_lite_strobed = 0, f_past_bvalid = 0;
    always @(posedge clock) begin
        if (s_axil_awvalid && s_axil_awready) begin
            f_lite_index <= f_map_index;
            f_lite_valid <= f_map_valid;
            f_lite_writable <= f_map_writable;
            f_lite_strobed <= s_axil_wstrb != 0;
        end
        f_past_bvalid <= s_axil_bvalid;
    end
    wire f_b_new = s_axil_bvalid && !f_past_bvalid;

    // Shadow map (changes when the B response appears) and its last F_MAP_LAG states.
    reg [MAP_COUNT-1:0] f_valid = 0, f_wr = 0;
    reg [MAP_COUNT*F_MAP_LAG-1:0] f_valid_hist = 0, f_wr_hist = 0;
    always @(posedge clock) begin
        f_valid_hist <= {f_valid_hist, f_valid};
        f_wr_hist <= {f_wr_hist, f_valid & f_wr};
        if (f_b_new && s_axil_bresp == OKAY && f_lite_strobed) begin
            f_valid[f_lite_index] <= f_lite_valid;
            f_wr[f_lite_index] <= f_lite_writable;
        end
    end
    // Entries valid (writable) in any / every clock of the window: now and F_MAP_LAG before.
    reg [MAP_COUNT-1:0] f_valid_any, f_valid_all, f_wr_any, f_wr_all;
    integer f_k;
    always @(*) begin
        f_valid_any = f_valid;
        f_valid_all = f_valid;
        f_wr_any = f_valid & f_wr;
        f_wr_all = f_valid & f_wr;
        for (f_k = 0; f_k < F_MAP_LAG; f_k = f_k + 1) begin
            f_valid_any = f_valid_any | f_valid_hist[f_k*MAP_COUNT +: MAP_COUNT];
            f_valid_all = f_valid_all & f_valid_hist[f_k*MAP_COUNT +: MAP_COUNT];
            f_wr_any = f_wr_any | f_wr_hist[f_k*MAP_COUNT +: MAP_COUNT];
            f_wr_all = f_wr_all & f_wr_hist[f_k*MAP_COUNT +: MAP_COUNT];
        end
    end

    // ---------------------------------------------------------------------------------------
    // The device's bursts: one read and one write outstanding at most
    // ---------------------------------------------------------------------------------------

    // Why a burst must be refused, as far as its shape says (the map's part comes below).
    function f_bad(input [7:0] len, input [2:0] size, input [1:0] burst);
        f_bad = burst != INCR || len > 15 || size > 2;
    endfunction
    function f_out_of_range(input [31:0] addr);
        f_out_of_range = (addr >> (PAGE_SHIFT + 2)) != 0;
    endfunction
    function f_crosses(input [31:0] addr, input [7:0] len, input [2:0] size);
        f_crosses = ((addr[PAGE_SHIFT-1:0] & ~((12'h1 << size) - 1)) + ((len + 1) << size))
            > PAGE_BYTES;
    endfunction

    // The read burst: taken (rd_busy) until its last R beat; what the map said meanwhile.
    reg rd_busy = 0, rd_fwd = 0;
    reg [31:0] rd_addr = 0;
    reg [7:0] rd_len = 0, rd_beats = 0;
    reg [2:0] rd_size = 0;
    reg [1:0] rd_burst = 0;
    reg rd_saw_invalid = 0, rd_saw_valid = 0;
    wire [1:0] rd_page = rd_addr[PAGE_SHIFT+1:PAGE_SHIFT];
    always @(posedge clock) begin
        if (rd_busy) begin
            rd_saw_invalid <= rd_saw_invalid | !f_valid[rd_page];
            rd_saw_valid <= rd_saw_valid | f_valid[rd_page];
        end
        if (s_bm_axi_arvalid && s_bm_axi_arready) begin
            rd_busy <= 1;
            rd_fwd <= 0;
            rd_addr <= s_bm_axi_araddr;
            rd_len <= s_bm_axi_arlen;
            rd_size <= s_bm_axi_arsize;
            rd_burst <= s_bm_axi_arburst;
            rd_beats <= 0;
            rd_saw_invalid <= !f_valid_all[s_bm_axi_araddr[PAGE_SHIFT+1:PAGE_SHIFT]];
            rd_saw_valid <= f_valid_any[s_bm_axi_araddr[PAGE_SHIFT+1:PAGE_SHIFT]];
        end
        if (m_bm_axi_arvalid) rd_fwd <= 1;
        if (s_bm_axi_rvalid && s_bm_axi_rready) begin
            rd_beats <= rd_beats + 1;
            if (s_bm_axi_rlast) rd_busy <= 0;
        end
        if (reset) rd_busy <= 0;
    end

    // The write burst: from its AW (offered or taken) until its B.
    reg wr_busy = 0, wr_fwd = 0;
    reg [31:0] wr_addr = 0;
    reg [7:0] wr_len = 0, wr_sent = 0, wr_taken = 0;
    reg [2:0] wr_size = 0;
    reg [1:0] wr_burst = 0;
    reg wr_saw_invalid = 0, wr_saw_valid = 0, wr_saw_ro = 0, wr_saw_writable = 0;
    wire [1:0] wr_page = wr_addr[PAGE_SHIFT+1:PAGE_SHIFT];
    // W beats the device has sent for the burst it is writing (taken or not yet offered).
    wire [7:0] f_w_len = wr_busy ? wr_len : s_bm_axi_awlen;
    always @(posedge clock) begin
        if (wr_busy) begin
            wr_saw_invalid <= wr_saw_invalid | !f_valid[wr_page];
            wr_saw_valid <= wr_saw_valid | f_valid[wr_page];
            wr_saw_ro <= wr_saw_ro | !(f_valid[wr_page] & f_wr[wr_page]);
            wr_saw_writable <= wr_saw_writable | (f_valid[wr_page] & f_wr[wr_page]);
        end
        if (s_bm_axi_awvalid && s_bm_axi_awready) begin
            wr_busy <= 1;
            wr_fwd <= 0;
            wr_addr <= s_bm_axi_awaddr;
            wr_len <= s_bm_axi_awlen;
            wr_size <= s_bm_axi_awsize;
            wr_burst <= s_bm_axi_awburst;
            wr_saw_invalid <= !f_valid_all[s_bm_axi_awaddr[PAGE_SHIFT+1:PAGE_SHIFT]];
            wr_saw_valid <= f_valid_any[s_bm_axi_awaddr[PAGE_SHIFT+1:PAGE_SHIFT]];
            wr_saw_ro <= !f_wr_all[s_bm_axi_awaddr[PAGE_SHIFT+1:PAGE_SHIFT]];
            wr_saw_writable <= f_wr_any[s_bm_axi_awaddr[PAGE_SHIFT+1:PAGE_SHIFT]];
        end
        if (m_bm_axi_awvalid) wr_fwd <= 1;
        if (s_bm_axi_wvalid && s_bm_axi_wready) wr_taken <= wr_taken + 1;
        if (s_bm_axi_bvalid && s_bm_axi_bready) begin
            wr_busy <= 0;
            wr_taken <= 0;
        end
        if (reset) begin
            wr_busy <= 0;
            wr_taken <= 0;
        end
    end

    always @(posedge clock) if (f_past_valid) begin
        if ($past(s_bm_axi_arvalid && !s_bm_axi_arready)) begin
            assume(s_bm_axi_arvalid);
            assume(s_bm_axi_araddr == $past(s_bm_axi_araddr));
            assume(s_bm_axi_arlen == $past(s_bm_axi_arlen));
            assume(s_bm_axi_arsize == $past(s_bm_axi_arsize));
            assume(s_bm_axi_arburst == $past(s_bm_axi_arburst));
        end
        if ($past(s_bm_axi_awvalid && !s_bm_axi_awready)) begin
            assume(s_bm_axi_awvalid);
            assume(s_bm_axi_awaddr == $past(s_bm_axi_awaddr));
            assume(s_bm_axi_awlen == $past(s_bm_axi_awlen));
            assume(s_bm_axi_awsize == $past(s_bm_axi_awsize));
            assume(s_bm_axi_awburst == $past(s_bm_axi_awburst));
        end
        if ($past(s_bm_axi_wvalid && !s_bm_axi_wready)) begin
            assume(s_bm_axi_wvalid);
            assume(s_bm_axi_wdata == $past(s_bm_axi_wdata));
            assume(s_bm_axi_wstrb == $past(s_bm_axi_wstrb));
            assume(s_bm_axi_wlast == $past(s_bm_axi_wlast));
        end
    end
    always @(*) begin
        if (rd_busy) assume(!s_bm_axi_arvalid);
        if (wr_busy) assume(!s_bm_axi_awvalid);
        // W beats belong to the burst whose AW is offered or taken, WLAST on its last beat.
        if (s_bm_axi_wvalid) begin
            assume(wr_busy || s_bm_axi_awvalid);
            assume(wr_taken <= f_w_len);
            assume(s_bm_axi_wlast == (wr_taken == f_w_len));
        end
    end

    // ---------------------------------------------------------------------------------------
    // Memory behind the port: answers only what it accepted
    // ---------------------------------------------------------------------------------------

    reg mem_rd = 0, mem_wr = 0, mem_w_done = 0;
    reg [7:0] mem_rd_len = 0, mem_rd_beats = 0;
    always @(posedge clock) begin
        if (m_bm_axi_arvalid && m_bm_axi_arready) begin
            mem_rd <= 1;
            mem_rd_len <= m_bm_axi_arlen;
            mem_rd_beats <= 0;
        end
        if (m_bm_axi_rvalid && m_bm_axi_rready) begin
            mem_rd_beats <= mem_rd_beats + 1;
            if (m_bm_axi_rlast) mem_rd <= 0;
        end
        if (m_bm_axi_awvalid && m_bm_axi_awready) mem_wr <= 1;
        if (m_bm_axi_wvalid && m_bm_axi_wready && m_bm_axi_wlast) mem_w_done <= 1;
        if (m_bm_axi_bvalid && m_bm_axi_bready) begin
            mem_wr <= 0;
            mem_w_done <= 0;
        end
        if (reset) begin
            mem_rd <= 0;
            mem_wr <= 0;
            mem_w_done <= 0;
        end
    end
    always @(*) begin
        if (m_bm_axi_rvalid) begin
            assume(mem_rd);
            assume(m_bm_axi_rlast == (mem_rd_beats == mem_rd_len));
        end
        if (m_bm_axi_bvalid) assume(mem_wr && mem_w_done);
    end
    // VALID held with a stable payload until READY: `axi4_handshake_props` below.

    // ---------------------------------------------------------------------------------------
    // Assertions: the port's memory master
    // ---------------------------------------------------------------------------------------

    // AR, AW and W VALID held with a stable payload until READY; the memory's R and B
    // likewise (assumed).
    axi4_handshake_props m_bm_axi_handshake (
        .clock(clock),
        .reset(reset),
        .arvalid(m_bm_axi_arvalid),
        .arready(m_bm_axi_arready),
        .araddr(m_bm_axi_araddr),
        .arlen(m_bm_axi_arlen),
        .arsize(m_bm_axi_arsize),
        .arburst(m_bm_axi_arburst),
        .awvalid(m_bm_axi_awvalid),
        .awready(m_bm_axi_awready),
        .awaddr(m_bm_axi_awaddr),
        .awlen(m_bm_axi_awlen),
        .awsize(m_bm_axi_awsize),
        .awburst(m_bm_axi_awburst),
        .wvalid(m_bm_axi_wvalid),
        .wready(m_bm_axi_wready),
        .wdata(m_bm_axi_wdata),
        .wstrb(m_bm_axi_wstrb),
        .wlast(m_bm_axi_wlast),
        .rvalid(m_bm_axi_rvalid),
        .rready(m_bm_axi_rready),
        .rdata(m_bm_axi_rdata),
        .rresp(m_bm_axi_rresp),
        .rlast(m_bm_axi_rlast),
        .bvalid(m_bm_axi_bvalid),
        .bready(m_bm_axi_bready),
        .bresp(m_bm_axi_bresp)
    );

    // A request is new unless it is the one offered (and not taken) in the clock before; the
    // map is checked when it appears (the entry may change while it waits).
    reg f_ar_held = 0, f_aw_held = 0;
    always @(posedge clock) begin
        f_ar_held <= !reset && m_bm_axi_arvalid && !m_bm_axi_arready;
        f_aw_held <= !reset && m_bm_axi_awvalid && !m_bm_axi_awready;
    end
    wire f_ar_new = m_bm_axi_arvalid && !f_ar_held;
    wire f_aw_new = m_bm_axi_awvalid && !f_aw_held;

    // A translated read: the device's burst, once, through a recently valid entry.
    always @(*) if (!reset && m_bm_axi_arvalid) begin
        assert(rd_busy);
        assert(m_bm_axi_araddr == rd_addr && m_bm_axi_arlen == rd_len);
        assert(m_bm_axi_arsize == rd_size && m_bm_axi_arburst == INCR);
        assert(!f_bad(rd_len, rd_size, rd_burst));
        assert(!f_out_of_range(m_bm_axi_araddr));
        assert(!f_crosses(m_bm_axi_araddr, m_bm_axi_arlen, m_bm_axi_arsize));
        if (f_ar_new) assert(f_valid_any[m_bm_axi_araddr[PAGE_SHIFT+1:PAGE_SHIFT]]);
    end
    // A translated write: likewise, through a recently valid and device-writable entry.
    always @(*) if (!reset && m_bm_axi_awvalid) begin
        assert(wr_busy);
        assert(m_bm_axi_awaddr == wr_addr && m_bm_axi_awlen == wr_len);
        assert(m_bm_axi_awsize == wr_size && m_bm_axi_awburst == INCR);
        assert(!f_bad(wr_len, wr_size, wr_burst));
        assert(!f_out_of_range(m_bm_axi_awaddr));
        assert(!f_crosses(m_bm_axi_awaddr, m_bm_axi_awlen, m_bm_axi_awsize));
        if (f_aw_new) assert(f_wr_any[m_bm_axi_awaddr[PAGE_SHIFT+1:PAGE_SHIFT]]);
    end
    // One memory burst per device burst.
    always @(*) if (!reset) begin
        if (f_ar_new) assert(!rd_fwd);
        if (f_aw_new) assert(!wr_fwd);
    end
    // W beats reach memory only for a translated write, unchanged.
    always @(*) if (!reset && m_bm_axi_wvalid) begin
        assert(wr_busy && (wr_fwd || m_bm_axi_awvalid));
        assert(s_bm_axi_wvalid);
        assert(m_bm_axi_wdata == s_bm_axi_wdata && m_bm_axi_wstrb == s_bm_axi_wstrb);
        assert(m_bm_axi_wlast == s_bm_axi_wlast);
    end

    // ---------------------------------------------------------------------------------------
    // Assertions: what the device gets back
    // ---------------------------------------------------------------------------------------

    // The response a refused burst must carry, from its cause (DESIGN §8). `saw_*`: what the
    // shadow map said about its entry from F_MAP_LAG clocks before the burst was taken until
    // now (the port's view is somewhere in that window).
    function [1:0] f_refusal(input bad, input oor, input write, input saw_invalid,
                             input saw_valid, input saw_ro, input saw_writable, input cross);
        if (bad) f_refusal = SLVERR;
        else if (oor) f_refusal = DECERR;
        else if (!saw_valid) f_refusal = DECERR;
        else if (saw_invalid) f_refusal = 2'bxx;
        else if (write && !saw_writable) f_refusal = SLVERR;
        else if (write && saw_ro) f_refusal = 2'bxx;
        else if (cross) f_refusal = SLVERR;
        else f_refusal = OKAY;  // not a refusal
    endfunction
    wire rd_bad = f_bad(rd_len, rd_size, rd_burst);
    wire rd_oor = f_out_of_range(rd_addr);
    wire rd_cross = f_crosses(rd_addr, rd_len, rd_size);
    wire [1:0] rd_expect = f_refusal(rd_bad, rd_oor, 1'b0, rd_saw_invalid, rd_saw_valid,
                                     1'b0, 1'b1, rd_cross);
    wire wr_bad = f_bad(wr_len, wr_size, wr_burst);
    wire wr_oor = f_out_of_range(wr_addr);
    wire wr_cross = f_crosses(wr_addr, wr_len, wr_size);
    wire [1:0] wr_expect = f_refusal(wr_bad, wr_oor, 1'b1, wr_saw_invalid, wr_saw_valid,
                                     wr_saw_ro, wr_saw_writable, wr_cross);
    wire rd_ambiguous = !rd_bad && !rd_oor && rd_saw_valid && rd_saw_invalid;
    wire wr_ambiguous = !wr_bad && !wr_oor && wr_saw_valid
        && (wr_saw_invalid || (wr_saw_writable && wr_saw_ro));

    always @(*) if (!reset) begin
        if (s_bm_axi_rvalid) begin
            // Exactly ARLEN+1 beats: none without a burst, RLAST on beat ARLEN+1.
            assert(rd_busy);
            assert(s_bm_axi_rlast == (rd_beats == rd_len));
            if (rd_fwd) begin
                assert(m_bm_axi_rvalid && s_bm_axi_rdata == m_bm_axi_rdata);
                assert(s_bm_axi_rresp == m_bm_axi_rresp);
            end else begin
                // Refused: justified, with its cause's response and data 0.
                assert(s_bm_axi_rdata == 0);
                if (rd_ambiguous) assert(s_bm_axi_rresp == SLVERR || s_bm_axi_rresp == DECERR);
                else assert(rd_expect != OKAY && s_bm_axi_rresp == rd_expect);
            end
        end
        if (s_bm_axi_bvalid) begin
            // Exactly one B, after the burst's last W beat was taken.
            assert(wr_busy && wr_taken == wr_len + 1);
            if (wr_fwd) begin
                assert(m_bm_axi_bvalid && s_bm_axi_bresp == m_bm_axi_bresp);
            end else begin
                if (wr_ambiguous) assert(s_bm_axi_bresp == SLVERR || s_bm_axi_bresp == DECERR);
                else assert(wr_expect != OKAY && s_bm_axi_bresp == wr_expect);
            end
        end
        // The interrupt is up from the clock after a refusal was first answered (the record
        // is a register, the interrupt another; nothing here clears them).
        if (f_refusal_shown) assert(irq);
    end
    reg f_refusal_shown = 0;
    always @(posedge clock)
        if (!reset && ((s_bm_axi_rvalid && !rd_fwd) || (s_bm_axi_bvalid && !wr_fwd)))
            f_refusal_shown <= 1;
endmodule
