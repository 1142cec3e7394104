// White-box 8237 rules for channel 0 of the small configuration. Included at the end of
// module `mapdma` of the generated Verilog (the generated names: `channels0_cur_count` is
// channel 0's current count, `issue__commit_oh` the one-hot of the channel whose unit is issued
// this clock, `apply_oh` the one-hot of the channel whose registers take the unit issued last
// clock (DESIGN §6), `issue__*` outputs of the issue stage, `demand__eop` the channels' active
// EOP, `wr`/`wd` the register write the AXI4-Lite slave performs (its address is the slave's
// held write address, which `axil__wr_addr_next` shows in a write's clock), `rd`/`ra` the
// read; `regs__*` are outputs of the 8237 register file `regs`, `native__*` of the native
// registers).
//
// Checked: the byte-pointer flip-flop; an address or count byte write loads that byte into base
// and current (current keeps its own other byte); every
// unit steps the address by the unit size (16-bit wrap, decrement per mode) and the count by
// one; terminal count is the unit that wraps the count from 0 to 0xFFFF and sets the status
// and interrupt TC bits, bumps the pass counter, clears the software request and pulses
// eop_out; auto-initialize reloads from base in the same clock and stays unmasked, otherwise
// the channel masks itself; an external EOP does the same without a unit; nothing changes the
// counters otherwise; units go out only for an unmasked, running, enabled, non-cascade channel;
// the issue stage's copy of the unit (terminal count, new address) agrees with the channel's
// registers when the unit is applied.

`ifdef FORMAL
    reg fp_past_valid = 1'b0;
    always @(posedge clock) fp_past_valid <= 1'b1;

    // The flip-flop and channel 0's base registers, followed from the decoded accesses.
    reg fp_ff = 1'b0;
    reg [15:0] fp_base_addr = 16'h0, fp_base_count = 16'h0;
    // Port decode of the register address (8237 port p at byte offset 4p, ports below 0x40).
    wire [12:0] fp_wa = axil__wr_addr_next;
    wire fp_wr_ports = wr & (fp_wa < 13'h40);
    wire fp_rd_ports = rd & (ra < 13'h40);
    wire [3:0] fp_wr_port = fp_wa[5:2];
    wire [3:0] fp_rd_port = ra[5:2];
    wire fp_port_access = (fp_wr_ports & (fp_wr_port < 4'h8)) | (fp_rd_ports & (fp_rd_port < 4'h8));
    wire fp_wr_addr0 = fp_wr_ports & (fp_wr_port == 4'h0);
    wire fp_wr_count0 = fp_wr_ports & (fp_wr_port == 4'h1);
    always @(posedge clock) begin
        if (fp_port_access) fp_ff <= ~fp_ff;
        if (fp_wr_ports & ((fp_wr_port == 4'hc) | (fp_wr_port == 4'hd))) fp_ff <= 1'b0;
        if (fp_wr_addr0) begin
            if (fp_ff) fp_base_addr[15:8] <= wd[7:0];
            else fp_base_addr[7:0] <= wd[7:0];
        end
        if (fp_wr_count0) begin
            if (fp_ff) fp_base_count[15:8] <= wd[7:0];
            else fp_base_count[7:0] <= wd[7:0];
        end
        if (reset) begin
            fp_ff <= 1'b0;
            fp_base_addr <= 16'h0;
            fp_base_count <= 16'h0;
        end
    end

    // The address after one unit: step by the unit size (width code 3 moves bytes).
    wire [1:0] fp_width = (channels0_width == 2'd3) ? 2'd0 : channels0_width;
    wire [15:0] fp_step = 16'h1 << fp_width;
    wire fp_autoinit = channels0_mode[2];
    wire [15:0] fp_next = channels0_mode[3] ? channels0_cur_addr - fp_step
                                             : channels0_cur_addr + fp_step;

    always @(*) if (!reset) begin
        assert(fp_ff == regs__flip_flop);
        if (issue__commit_oh[0]) begin
            assert(!channels0_masked && !channels0_halted);
            assert(!regs__cmd_disable);
            assert(channels0_mode[5:4] != 2'b11);
        end
    end

    always @(posedge clock) if (fp_past_valid && !$past(reset) && !reset) begin
        // A byte write lands in base and current; current keeps its own other byte.
        if ($past(fp_wr_addr0) && !$past(apply_oh[0]) && !$past(demand__eop[0])) begin
            if ($past(fp_ff))
                assert(channels0_cur_addr == {$past(wd[7:0]), $past(channels0_cur_addr[7:0])});
            else
                assert(channels0_cur_addr == {$past(channels0_cur_addr[15:8]), $past(wd[7:0])});
        end
        if ($past(fp_wr_count0) && !$past(apply_oh[0]) && !$past(demand__eop[0])) begin
            if ($past(fp_ff))
                assert(channels0_cur_count == {$past(wd[7:0]), $past(channels0_cur_count[7:0])});
            else
                assert(channels0_cur_count == {$past(channels0_cur_count[15:8]), $past(wd[7:0])});
            assert(channels0_passes == 16'h0);
        end
        // The terminal-count unit's flags, in the clock after it is issued.
        if ($past(issue__commit_oh[0]) && $past(issue__at_tc)) begin
            assert(regs__status_tc[0] && native__int_tc[0]);
            assert(dev0_eop_out);
        end
        if ($past(apply_oh[0])) begin
            // The engine's terminal-count flag is the channel's count at 0.
            assert($past(issue__apply_tc) == ($past(channels0_cur_count) == 16'h0));
        end
        if ($past(apply_oh[0]) && !$past(demand__eop[0]) && !$past(wr)) begin
            if ($past(channels0_cur_count) == 16'h0) begin
                // Terminal count.
                assert(channels0_passes == $past(channels0_passes) + 16'h1);
                assert(!channels0_sw_request);
                if ($past(fp_autoinit)) begin
                    assert(channels0_cur_addr == fp_base_addr);
                    assert(channels0_cur_count == fp_base_count);
                    assert(!channels0_masked);
                end else begin
                    assert(channels0_masked);
                    assert(channels0_cur_count == 16'hffff);
                    assert(channels0_cur_addr == $past(fp_next));
                end
            end else begin
                assert(channels0_cur_count == $past(channels0_cur_count) - 16'h1);
                assert(channels0_cur_addr == $past(fp_next));
                assert(channels0_masked == $past(channels0_masked));
                assert(channels0_passes == $past(channels0_passes));
            end
        end else if ($past(demand__eop[0]) && !$past(apply_oh[0]) && !$past(wr)) begin
            // External EOP: the terminal-count actions without a unit.
            assert(channels0_passes == $past(channels0_passes) + 16'h1);
            assert(regs__status_tc[0] && native__int_tc[0]);
            assert(dev0_eop_out);
            if ($past(fp_autoinit)) begin
                assert(channels0_cur_addr == fp_base_addr);
                assert(channels0_cur_count == fp_base_count);
            end else begin
                assert(channels0_masked);
                assert(channels0_cur_addr == $past(channels0_cur_addr));
                assert(channels0_cur_count == $past(channels0_cur_count));
            end
        end else if (!$past(wr) && !$past(apply_oh[0]) && !$past(demand__eop[0])) begin
            // Nothing else moves the counters.
            assert(channels0_cur_addr == $past(channels0_cur_addr));
            assert(channels0_cur_count == $past(channels0_cur_count));
            assert(channels0_passes == $past(channels0_passes));
            if (!($past(issue__commit_oh[0]) && $past(issue__at_tc))) assert(!dev0_eop_out);
        end
    end
`endif
