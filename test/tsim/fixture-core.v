// TEST FIXTURE -- not the VTA core. A small hand-written core with exactly the TSIM top-level ports
// (sim/tsim/ports.ts) that exercises the bridge: on launch it reads INSN_COUNT x 16 bytes from INSN_ADDR in
// bursts of up to 16 beats, then writes each 64-bit word + 1 to INSN_ADDR + 0x10000, one burst at a time
// (AR -> R -> AW -> W -> B, nothing overlapped, so cycle counts are easy to predict), then sets CONTROL.done
// and CYCLES. A 64-bit word whose top byte is 0xFF raises an error (ERROR_CODE 1, ERROR_INSN = the
// instruction holding it); a top byte of 0xEE makes the fixture hang forever (no AXI traffic, no progress).
// Register offsets come from `define`s generated from hw/vta/regs.ts (verilogRegDefines), prepended by
// the test. FIXTURE_BUS_BITS (default 64) selects the AXI data width; FIXTURE_STOP_ON_LAUNCH makes it
// execute $stop on launch (to check that the bridge survives it).
`ifndef FIXTURE_BUS_BITS
`define FIXTURE_BUS_BITS 64
`endif

module TsimFixtureCore (
  input wire clock,
  input wire reset,
  input wire s_axil_awvalid,
  output wire s_axil_awready,
  input wire [15:0] s_axil_awaddr,
  input wire s_axil_wvalid,
  output wire s_axil_wready,
  input wire [31:0] s_axil_wdata,
  input wire [3:0] s_axil_wstrb,
  output reg s_axil_bvalid,
  input wire s_axil_bready,
  output wire [1:0] s_axil_bresp,
  input wire s_axil_arvalid,
  output wire s_axil_arready,
  input wire [15:0] s_axil_araddr,
  output reg s_axil_rvalid,
  input wire s_axil_rready,
  output reg [31:0] s_axil_rdata,
  output wire [1:0] s_axil_rresp,
  output wire m_axi_awvalid,
  input wire m_axi_awready,
  output wire [31:0] m_axi_awaddr,
  output wire [3:0] m_axi_awid,
  output wire [7:0] m_axi_awlen,
  output wire [2:0] m_axi_awsize,
  output wire [1:0] m_axi_awburst,
  output wire [3:0] m_axi_awcache,
  output wire [2:0] m_axi_awprot,
  output wire m_axi_wvalid,
  input wire m_axi_wready,
  output wire [`FIXTURE_BUS_BITS-1:0] m_axi_wdata,
  output wire [`FIXTURE_BUS_BITS/8-1:0] m_axi_wstrb,
  output wire m_axi_wlast,
  input wire m_axi_bvalid,
  output wire m_axi_bready,
  input wire [3:0] m_axi_bid,
  input wire [1:0] m_axi_bresp,
  output wire m_axi_arvalid,
  input wire m_axi_arready,
  output wire [31:0] m_axi_araddr,
  output wire [3:0] m_axi_arid,
  output wire [7:0] m_axi_arlen,
  output wire [2:0] m_axi_arsize,
  output wire [1:0] m_axi_arburst,
  output wire [3:0] m_axi_arcache,
  output wire [2:0] m_axi_arprot,
  input wire m_axi_rvalid,
  output wire m_axi_rready,
  input wire [`FIXTURE_BUS_BITS-1:0] m_axi_rdata,
  input wire [3:0] m_axi_rid,
  input wire [1:0] m_axi_rresp,
  input wire m_axi_rlast,
  output wire [31:0] debug_progress,
  output wire [31:0] debug_state
);
  localparam W = `FIXTURE_BUS_BITS;
  localparam BYTES = W / 8;
  localparam LANES = W / 64;
  localparam MAXB = 16;
  localparam [31:0] DST_OFFSET = 32'h10000;

  localparam S_IDLE = 3'd0, S_AR = 3'd1, S_R = 3'd2, S_AW = 3'd3, S_W = 3'd4, S_B = 3'd5, S_HANG = 3'd6;

  // ---- host registers (AXI4-Lite slave) ----
  reg [31:0] regs [0:63];
  wire wr_fire = s_axil_awvalid && s_axil_wvalid && !s_axil_bvalid;
  assign s_axil_awready = wr_fire;
  assign s_axil_wready = wr_fire;
  assign s_axil_bresp = 2'd0;
  assign s_axil_arready = !s_axil_rvalid;
  assign s_axil_rresp = 2'd0;
  wire launch = wr_fire && s_axil_awaddr == `TSIM_REG_CONTROL && s_axil_wdata[0];

  // ---- the copy engine ----
  reg [2:0] state;
  reg [31:0] src;        // byte address of the current burst
  reg [31:0] remaining;  // bytes still to copy
  reg [31:0] done_bytes; // bytes copied so far
  reg [31:0] cycles;
  reg [31:0] progress;
  reg [4:0] beat;
  reg [W-1:0] buffer [0:MAXB-1];
  reg err, hang;
  reg [31:0] err_insn;

  wire [31:0] beats_left = remaining / BYTES;
  wire [4:0] nbeats = beats_left > MAXB ? MAXB[4:0] : beats_left[4:0];

  assign m_axi_arvalid = state == S_AR && remaining != 32'd0;
  assign m_axi_araddr = src;
  assign m_axi_arid = 4'd0;
  assign m_axi_arlen = {3'd0, nbeats - 5'd1};
  assign m_axi_arsize = $clog2(BYTES);
  assign m_axi_arburst = 2'd1;
  assign m_axi_arcache = 4'b0011;
  assign m_axi_arprot = 3'd0;
  assign m_axi_rready = state == S_R;

  assign m_axi_awvalid = state == S_AW && !hang && !err;
  assign m_axi_awaddr = src + DST_OFFSET;
  assign m_axi_awid = 4'd0;
  assign m_axi_awlen = {3'd0, nbeats - 5'd1};
  assign m_axi_awsize = $clog2(BYTES);
  assign m_axi_awburst = 2'd1;
  assign m_axi_awcache = 4'b0011;
  assign m_axi_awprot = 3'd0;
  assign m_axi_wvalid = state == S_W;
  assign m_axi_wstrb = {BYTES{1'b1}};
  assign m_axi_wlast = beat == nbeats - 5'd1;
  assign m_axi_bready = state == S_B;

  genvar g;
  generate
    for (g = 0; g < LANES; g = g + 1) begin : lane
      assign m_axi_wdata[g * 64 +: 64] = buffer[beat[3:0]][g * 64 +: 64] + 64'd1;
    end
  endgenerate

  assign debug_progress = progress;
  assign debug_state = {hang, err, 26'd0, 1'b0, state};

  integer i;
  always @(posedge clock) begin
    if (reset) begin
      for (i = 0; i < 64; i = i + 1) regs[i] <= 32'd0;
      s_axil_bvalid <= 1'b0;
      s_axil_rvalid <= 1'b0;
      s_axil_rdata <= 32'd0;
      state <= S_IDLE;
      src <= 32'd0;
      remaining <= 32'd0;
      done_bytes <= 32'd0;
      cycles <= 32'd0;
      progress <= 32'd0;
      beat <= 5'd0;
      err <= 1'b0;
      hang <= 1'b0;
      err_insn <= 32'd0;
    end else begin
      // host side
      if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
      if (wr_fire) begin
        regs[s_axil_awaddr[7:2]] <= s_axil_wdata;
        s_axil_bvalid <= 1'b1;
      end
      if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;
      if (s_axil_arvalid && s_axil_arready) begin
        s_axil_rvalid <= 1'b1;
        s_axil_rdata <= s_axil_araddr[15:8] == 8'd0 ? regs[s_axil_araddr[7:2]] : 32'd0;
      end

      if (state != S_IDLE) cycles <= cycles + 32'd1;
      case (state)
        S_IDLE:
          if (launch) begin
`ifdef FIXTURE_STOP_ON_LAUNCH
            $stop;
`endif
            src <= regs[`TSIM_REG_INSN_ADDR >> 2];
            remaining <= regs[`TSIM_REG_INSN_COUNT >> 2] << 4;
            done_bytes <= 32'd0;
            cycles <= 32'd0;
            err <= 1'b0;
            state <= S_AR;
          end
        S_AR:
          if (remaining == 32'd0) begin
            // finished: hardware writes win over a same-cycle host write
            state <= S_IDLE;
            regs[`TSIM_REG_CONTROL >> 2] <= `TSIM_CONTROL_DONE;
            regs[`TSIM_REG_CYCLES >> 2] <= cycles;
            regs[`TSIM_REG_DRAM_READ_BYTES >> 2] <= done_bytes;
            regs[`TSIM_REG_DRAM_WRITE_BYTES >> 2] <= done_bytes;
          end else if (m_axi_arready) begin
            beat <= 5'd0;
            state <= S_R;
          end
        S_R:
          if (m_axi_rvalid) begin
            buffer[beat[3:0]] <= m_axi_rdata;
            for (i = 0; i < LANES; i = i + 1) begin
              if (m_axi_rdata[i * 64 + 56 +: 8] == 8'hFF && !err) begin
                err <= 1'b1;
                err_insn <= (done_bytes + {27'd0, beat} * BYTES + i * 8) >> 4;
              end
              if (m_axi_rdata[i * 64 + 56 +: 8] == 8'hEE) hang <= 1'b1;
            end
            beat <= beat + 5'd1;
            if (m_axi_rlast) begin
              beat <= 5'd0;
              state <= S_AW;
            end
          end
        S_AW:
          if (hang) state <= S_HANG;
          else if (err) begin
            state <= S_IDLE;
            regs[`TSIM_REG_CONTROL >> 2] <= `TSIM_CONTROL_ERROR;
            regs[`TSIM_REG_ERROR_CODE >> 2] <= 32'd1;
            regs[`TSIM_REG_ERROR_INSN >> 2] <= err_insn;
          end else if (m_axi_awready) state <= S_W;
        S_W:
          if (m_axi_wready) begin
            beat <= beat + 5'd1;
            if (m_axi_wlast) state <= S_B;
          end
        S_B:
          if (m_axi_bvalid) begin
            src <= src + {27'd0, nbeats} * BYTES;
            remaining <= remaining - {27'd0, nbeats} * BYTES;
            done_bytes <= done_bytes + {27'd0, nbeats} * BYTES;
            progress <= progress + 32'd1;
            state <= S_AR;
          end
        default: ; // S_HANG: stuck for good
      endcase
    end
  end
endmodule
