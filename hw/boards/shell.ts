// The board shell: Verilog around the generated core with the port names vendor tools infer as interfaces
// (`ap_clk`, `ap_rst_n`, `s_axi_control_*`, `m_axi_gmem_*`), Xilinx interface attributes for the Vivado
// flow (protocol, widths; no FREQ_HZ, which IP Integrator propagates from the clock source, as for HLS IP),
// AWPROT/ARPROT on the register slave where the board's interconnect needs them, the board's constant
// AxCACHE/AxPROT/AxUSER, and, where the processor port takes
// shorter bursts than the core issues, a burst splitter (16 beats on the PYNQ's ACP and the DE10's f2h
// bridge). The DE10's shell is an AXI3 master (4-bit lengths, WID, 2-bit lock, AxUSER).
// `shellSimAdapterVerilog` maps the shell back onto the core's port contract so TSIM can drive the shell.

import type { VtaConfig } from '../vta/config';
import { AXI_ID_BITS, AXI_LEN_BITS, AXIL_ADDR_BITS, corePorts, DEBUG_BITS } from '../vta/ports';
import type { Board } from './boards';

export const SHELL_TOP = 'VtaBoardShell';
export const SPLIT_MODULE = 'VtaBurstSplit';
/** Bytes of the register window the shell decodes (VTA's VTA_IP_REG_MAP_RANGE). */
export const REGISTER_WINDOW_BYTES = 0x1000;
export const SHELL_AXIL_ADDR_BITS = 12;

type Dir = 'input' | 'output';

export interface ShellPort {
  readonly name: string;
  /** Direction seen from the shell. */
  readonly dir: Dir;
  readonly width: number;
  readonly iface: 'clock' | 'reset' | 's_axi_control' | 'm_axi_gmem';
  /** The AXI signal name without prefix, upper case (AWADDR), or CLK/RST. */
  readonly signal: string;
}

/** What the shell of one board and configuration looks like. */
export interface ShellPlan {
  readonly board: Board;
  readonly busBits: number;
  readonly freqMhz: number;
  readonly protocol: 'AXI4' | 'AXI3';
  /** Longest burst on m_axi_gmem, in beats. */
  readonly maxBurst: number;
  /** Whether the shell splits the core's bursts (the port takes fewer beats than the core's 256). */
  readonly split: boolean;
  readonly idBits: number;
  readonly lenBits: number;
  readonly ports: readonly ShellPort[];
}

export function shellPlan(board: Board, cfg: Pick<VtaConfig, 'busBits'>, freqMhz: number): ShellPlan {
  if (cfg.busBits !== board.memBusBits) {
    throw new RangeError(
      `${board.name}: the shell needs a ${board.memBusBits}-bit bus (the ${board.ports.dataPort} port), the configuration has ${cfg.busBits}`,
    );
  }
  const protocol = board.ports.shellProtocol;
  const maxBurst = Math.min(board.ports.maxBurstBeats, 256);
  const split = maxBurst < 256;
  const idBits = split ? 1 : AXI_ID_BITS;
  const lenBits = protocol === 'AXI3' ? 4 : AXI_LEN_BITS;
  const d = cfg.busBits;
  const p = (iface: ShellPort['iface'], prefix: string, rows: [string, Dir, number][]): ShellPort[] =>
    rows.map(([signal, dir, width]) => ({ name: `${prefix}${signal}`, dir, width, iface, signal: signal.toUpperCase() }));
  const addrCh = (x: 'aw' | 'ar'): [string, Dir, number][] => [
    [`${x}valid`, 'output', 1],
    [`${x}ready`, 'input', 1],
    [`${x}addr`, 'output', 32],
    [`${x}id`, 'output', idBits],
    [`${x}len`, 'output', lenBits],
    [`${x}size`, 'output', 3],
    [`${x}burst`, 'output', 2],
    [`${x}lock`, 'output', protocol === 'AXI3' ? 2 : 1],
    [`${x}cache`, 'output', 4],
    [`${x}prot`, 'output', 3],
    ...(protocol === 'AXI4' ? [[`${x}qos`, 'output', 4] as [string, Dir, number]] : []),
    ...(board.ports.axUser ? [[`${x}user`, 'output', board.ports.axUser.bits] as [string, Dir, number]] : []),
  ];
  const ports: ShellPort[] = [
    { name: 'ap_clk', dir: 'input', width: 1, iface: 'clock', signal: 'CLK' },
    { name: 'ap_rst_n', dir: 'input', width: 1, iface: 'reset', signal: 'RST' },
    ...p('s_axi_control', 's_axi_control_', [
      ['awvalid', 'input', 1],
      ['awready', 'output', 1],
      ['awaddr', 'input', SHELL_AXIL_ADDR_BITS],
      ...(board.ports.controlProt ? [['awprot', 'input', 3] as [string, Dir, number]] : []),
      ['wvalid', 'input', 1],
      ['wready', 'output', 1],
      ['wdata', 'input', 32],
      ['wstrb', 'input', 4],
      ['bvalid', 'output', 1],
      ['bready', 'input', 1],
      ['bresp', 'output', 2],
      ['arvalid', 'input', 1],
      ['arready', 'output', 1],
      ['araddr', 'input', SHELL_AXIL_ADDR_BITS],
      ...(board.ports.controlProt ? [['arprot', 'input', 3] as [string, Dir, number]] : []),
      ['rvalid', 'output', 1],
      ['rready', 'input', 1],
      ['rdata', 'output', 32],
      ['rresp', 'output', 2],
    ]),
    ...p('m_axi_gmem', 'm_axi_gmem_', [
      ...addrCh('aw'),
      ['wvalid', 'output', 1],
      ['wready', 'input', 1],
      ['wdata', 'output', d],
      ['wstrb', 'output', d / 8],
      ['wlast', 'output', 1],
      ...(protocol === 'AXI3' ? [['wid', 'output', idBits] as [string, Dir, number]] : []),
      ['bvalid', 'input', 1],
      ['bready', 'output', 1],
      ['bid', 'input', idBits],
      ['bresp', 'input', 2],
      ...addrCh('ar'),
      ['rvalid', 'input', 1],
      ['rready', 'output', 1],
      ['rdata', 'input', d],
      ['rid', 'input', idBits],
      ['rresp', 'input', 2],
      ['rlast', 'input', 1],
    ]),
  ];
  return { board, busBits: d, freqMhz, protocol, maxBurst, split, idBits, lenBits, ports };
}

const vec = (w: number) => (w > 1 ? `[${w - 1}:0] ` : '');
const bin = (bits: number, v: number) => `${bits}'b${v.toString(2).padStart(bits, '0')}`;

/**
 * Xilinx interface attributes of one port (the first port of an interface also carries its parameters).
 * No FREQ_HZ: a fixed one fails block-design validation against the PS's or clocking wizard's real rate
 * (e.g. 99.999 MHz for 100 requested, BD 41-237); left out, IP Integrator propagates the source's.
 */
function xilinxAttrs(plan: ShellPlan, port: ShellPort, first: boolean): string[] {
  if (port.iface === 'clock') {
    return [
      '(* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 ap_clk CLK" *)',
      '(* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_control:m_axi_gmem, ASSOCIATED_RESET ap_rst_n" *)',
    ];
  }
  if (port.iface === 'reset') {
    return ['(* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 ap_rst_n RST" *)', '(* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)'];
  }
  const out = [`(* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 ${port.iface} ${port.signal}" *)`];
  if (first && port.iface === 's_axi_control') {
    out.push(
      `(* X_INTERFACE_PARAMETER = "PROTOCOL AXI4LITE, DATA_WIDTH 32, ADDR_WIDTH ${SHELL_AXIL_ADDR_BITS}, HAS_PROT ${plan.board.ports.controlProt ? 1 : 0}, HAS_BURST 0, HAS_CACHE 0, HAS_LOCK 0, HAS_QOS 0, HAS_REGION 0" *)`,
    );
  }
  if (first && port.iface === 'm_axi_gmem') {
    out.push(
      `(* X_INTERFACE_PARAMETER = "PROTOCOL ${plan.protocol}, DATA_WIDTH ${plan.busBits}, ADDR_WIDTH 32, ID_WIDTH ${plan.idBits}, ` +
        `MAX_BURST_LENGTH ${plan.maxBurst}, NUM_READ_OUTSTANDING 8, NUM_WRITE_OUTSTANDING 8, ` +
        `HAS_REGION 0, HAS_QOS 1, HAS_CACHE 1, HAS_PROT 1, HAS_LOCK 1, ` +
        `AWUSER_WIDTH 0, ARUSER_WIDTH 0, WUSER_WIDTH 0, RUSER_WIDTH 0, BUSER_WIDTH 0, READ_WRITE_MODE READ_WRITE" *)`,
    );
  }
  return out;
}

export interface ShellFile {
  readonly name: string;
  readonly text: string;
}

/** The board shell's Verilog files around core `core`: the shell, and the burst splitter when the board needs one. */
export function boardShellFiles(plan: ShellPlan, core: string, generator: string): ShellFile[] {
  const shell = { name: `${SHELL_TOP}.v`, text: boardShellVerilog(plan, core, generator) };
  return plan.split ? [{ name: `${SPLIT_MODULE}.v`, text: burstSplitVerilog(plan, generator) }, shell] : [shell];
}

/** Verilog of the board shell module around core `core`. */
export function boardShellVerilog(plan: ShellPlan, core: string, generator: string): string {
  const { board } = plan;
  const xilinx = board.processor.flow === 'vivado';
  const seen = new Set<string>();
  const decls = plan.ports
    .map((p) => {
      const attrs = xilinx ? xilinxAttrs(plan, p, !seen.has(p.iface)) : [];
      seen.add(p.iface);
      return [...attrs.map((a) => `  ${a}`), `  ${p.dir} wire ${vec(p.width)}${p.name}`].join('\n');
    })
    .join(',\n');
  const cache = bin(4, board.ports.axCache);
  const prot = bin(3, board.ports.axProt);
  const user = board.ports.axUser;
  const lockBits = plan.protocol === 'AXI3' ? 2 : 1;
  const coreAxi = corePorts({ busBits: plan.busBits }).filter((p) => p.group === 'm_axi');
  const coreWires = coreAxi.map((p) => `  wire ${vec(p.width)}core_${p.signal};`).join('\n');
  const g = (s: string) => `m_axi_gmem_${s}`;

  // The core's m_axi signals the shell replaces with board constants or the splitter drops.
  const unusedCore = ['awcache', 'awprot', 'arcache', 'arprot', 'awburst', 'arburst'];
  // The registers ignore the access's protection bits (present for the interconnect, not used inside).
  const unusedProt = board.ports.controlProt ? ['s_axi_control_awprot', 's_axi_control_arprot'] : [];
  const constants = [
    `  assign ${g('awcache')} = ${cache};`,
    `  assign ${g('arcache')} = ${cache};`,
    `  assign ${g('awprot')} = ${prot};`,
    `  assign ${g('arprot')} = ${prot};`,
    `  assign ${g('awburst')} = 2'b01;`,
    `  assign ${g('arburst')} = 2'b01;`,
    `  assign ${g('awlock')} = ${lockBits}'b0;`,
    `  assign ${g('arlock')} = ${lockBits}'b0;`,
    ...(plan.protocol === 'AXI4' ? [`  assign ${g('awqos')} = 4'b0;`, `  assign ${g('arqos')} = 4'b0;`] : []),
    ...(user ? [`  assign ${g('awuser')} = ${bin(user.bits, user.value)};`, `  assign ${g('aruser')} = ${bin(user.bits, user.value)};`] : []),
  ];

  let memSide: string;
  if (!plan.split) {
    const direct = [
      'awvalid',
      'awaddr',
      'awid',
      'awlen',
      'awsize',
      'wvalid',
      'wdata',
      'wstrb',
      'wlast',
      'bready',
      'arvalid',
      'araddr',
      'arid',
      'arlen',
      'arsize',
      'rready',
    ];
    const back = ['awready', 'wready', 'bvalid', 'bid', 'bresp', 'arready', 'rvalid', 'rdata', 'rid', 'rresp', 'rlast'];
    memSide = [...direct.map((s) => `  assign ${g(s)} = core_${s};`), ...back.map((s) => `  assign core_${s} = ${g(s)};`)].join('\n');
  } else {
    memSide = [
      `  ${SPLIT_MODULE} split (`,
      '    .clock(ap_clk),',
      '    .reset(reset),',
      ...[
        'awvalid',
        'awaddr',
        'awid',
        'awlen',
        'awsize',
        'wvalid',
        'wdata',
        'wstrb',
        'wlast',
        'bready',
        'arvalid',
        'araddr',
        'arid',
        'arlen',
        'arsize',
        'rready',
      ].map((s) => `    .s_${s}(core_${s}),`),
      ...['awready', 'wready', 'bvalid', 'bid', 'bresp', 'arready', 'rvalid', 'rdata', 'rid', 'rresp', 'rlast'].map((s) => `    .s_${s}(core_${s}),`),
      ...[
        'awvalid',
        'awready',
        'awaddr',
        'awsize',
        'wvalid',
        'wready',
        'wdata',
        'wstrb',
        'wlast',
        'bvalid',
        'bready',
        'bresp',
        'arvalid',
        'arready',
        'araddr',
        'arsize',
        'rvalid',
        'rready',
        'rdata',
        'rresp',
        'rlast',
      ].map((s) => `    .m_${s}(${g(s)}),`),
      `    .m_awlen(${g('awlen')}),`,
      `    .m_arlen(${g('arlen')})`,
      '  );',
      `  assign ${g('awid')} = ${plan.idBits}'b0;`,
      `  assign ${g('arid')} = ${plan.idBits}'b0;`,
      ...(plan.protocol === 'AXI3' ? [`  assign ${g('wid')} = ${plan.idBits}'b0;`] : []),
      '  // The memory side uses one ID, so responses come back in order; bid/rid carry nothing.',
      '  /* verilator lint_off UNUSEDSIGNAL */',
      `  wire unused_ids = &{1'b0, ${g('bid')}, ${g('rid')}};`,
      '  /* verilator lint_on UNUSEDSIGNAL */',
    ].join('\n');
  }

  const axil = corePorts({ busBits: plan.busBits }).filter((p) => p.group === 's_axil');
  const axilConn = axil.map((p) => {
    const shell = `s_axi_control_${p.signal}`;
    if (p.signal === 'awaddr' || p.signal === 'araddr') return `    .${p.name}({${AXIL_ADDR_BITS - SHELL_AXIL_ADDR_BITS}'b0, ${shell}})`;
    return `    .${p.name}(${shell})`;
  });

  return `// Generated by ${generator} (vta fpga, hw/boards/shell.ts): the ${board.title} shell around ${core}.
// ${plan.busBits}-bit ${plan.protocol} master m_axi_gmem for ${board.ports.dataPort} (bursts of at most ${plan.maxBurst} beats${plan.split ? ', split here' : ''}),
// AXI4-Lite slave s_axi_control (${REGISTER_WINDOW_BYTES / 1024} KiB) for ${board.ports.controlPort}, ${plan.freqMhz} MHz.
// Constant AxCACHE ${cache}, AxPROT ${prot}${user ? `, AxUSER ${bin(user.bits, user.value)}` : ''}. Do not edit; regenerate.

module ${SHELL_TOP} (
${decls}
);
  wire reset = ~ap_rst_n;
${coreWires}
  /* verilator lint_off UNUSEDSIGNAL */
  wire [${DEBUG_BITS - 1}:0] debug_progress;
  wire [${DEBUG_BITS - 1}:0] debug_state;
  wire unused_core = &{1'b0, ${[...unusedCore.map((s) => `core_${s}`), ...unusedProt].join(', ')}};
  /* verilator lint_on UNUSEDSIGNAL */

  ${core} core (
    .clock(ap_clk),
    .reset(reset),
${axilConn.join(',\n')},
${coreAxi.map((p) => `    .${p.name}(core_${p.signal})`).join(',\n')},
    .debug_progress(debug_progress),
    .debug_state(debug_state)
  );

${constants.join('\n')}
${memSide}
endmodule
`;
}

/**
 * Splits the core's AXI4 bursts (up to 256 beats, any ID) into bursts of at most `maxBurst` beats on one
 * ID. A FIFO per direction remembers, per issued sub-burst, the core's ID and whether it is the last piece:
 * R beats get RLAST only on the last piece; B responses of the other pieces are absorbed (errors kept).
 */
export function burstSplitVerilog(plan: ShellPlan, generator: string): string {
  const d = plan.busBits;
  const max = plan.maxBurst;
  const L = plan.lenBits;
  const cntBits = Math.log2(max);
  const fifoLog = 3;
  const depth = 1 << fifoLog;
  const addr = (x: 'aw' | 'ar', fifo: string) => `
  // ${x.toUpperCase()}: one core burst at a time, issued as pieces of at most ${max} beats.
  reg [8:0] ${x}_left;
  reg [31:0] ${x}_addr;
  reg [3:0] ${x}_id;
  reg [2:0] ${x}_size;
  wire [8:0] ${x}_chunk = (${x}_left > 9'd${max}) ? 9'd${max} : ${x}_left;
  reg [4:0] ${fifo}_mem [0:${depth - 1}];
  reg [${fifoLog}:0] ${fifo}_wr;
  reg [${fifoLog}:0] ${fifo}_rd;
  wire ${fifo}_full = (${fifo}_wr - ${fifo}_rd) == ${fifoLog + 1}'d${depth};
  wire [4:0] ${fifo}_head = ${fifo}_mem[${fifo}_rd[${fifoLog - 1}:0]];
  assign s_${x}ready = ${x}_left == 9'd0;
  assign m_${x}valid = ${x}_left != 9'd0 && !${fifo}_full;
  assign m_${x}addr = ${x}_addr;
  wire [8:0] ${x}_len_full = ${x}_chunk - 9'd1;
  assign m_${x}len = ${x}_len_full[${L - 1}:0];
  assign m_${x}size = ${x}_size;
  always @(posedge clock) begin
    if (reset) begin
      ${x}_left <= 9'd0;
      ${fifo}_wr <= ${fifoLog + 1}'d0;
    end else if (s_${x}valid && s_${x}ready) begin
      ${x}_left <= {1'b0, s_${x}len} + 9'd1;
      ${x}_addr <= s_${x}addr;
      ${x}_id <= s_${x}id;
      ${x}_size <= s_${x}size;
    end else if (m_${x}valid && m_${x}ready) begin
      ${fifo}_mem[${fifo}_wr[${fifoLog - 1}:0]] <= {${x}_id, ${x}_left <= 9'd${max}};
      ${fifo}_wr <= ${fifo}_wr + ${fifoLog + 1}'d1;
      ${x}_left <= ${x}_left - ${x}_chunk;
      ${x}_addr <= ${x}_addr + ({23'd0, ${x}_chunk} << ${x}_size);
    end
  end
  /* verilator lint_off UNUSEDSIGNAL */
  wire [${L > 8 ? 0 : 8 - L}:0] ${x}_len_unused = ${L >= 9 ? "1'b0" : `${x}_len_full[8:${L}]`};
  /* verilator lint_on UNUSEDSIGNAL */
`;
  return `// Generated by ${generator} (vta fpga, hw/boards/shell.ts): AXI burst splitter, ${max}-beat pieces on one ID.
module ${SPLIT_MODULE} (
  input wire clock,
  input wire reset,
  input wire s_awvalid,
  output wire s_awready,
  input wire [31:0] s_awaddr,
  input wire [3:0] s_awid,
  input wire [7:0] s_awlen,
  input wire [2:0] s_awsize,
  input wire s_wvalid,
  output wire s_wready,
  input wire [${d - 1}:0] s_wdata,
  input wire [${d / 8 - 1}:0] s_wstrb,
  input wire s_wlast,
  output wire s_bvalid,
  input wire s_bready,
  output wire [3:0] s_bid,
  output wire [1:0] s_bresp,
  input wire s_arvalid,
  output wire s_arready,
  input wire [31:0] s_araddr,
  input wire [3:0] s_arid,
  input wire [7:0] s_arlen,
  input wire [2:0] s_arsize,
  output wire s_rvalid,
  input wire s_rready,
  output wire [${d - 1}:0] s_rdata,
  output wire [3:0] s_rid,
  output wire [1:0] s_rresp,
  output wire s_rlast,
  output wire m_awvalid,
  input wire m_awready,
  output wire [31:0] m_awaddr,
  output wire [${L - 1}:0] m_awlen,
  output wire [2:0] m_awsize,
  output wire m_wvalid,
  input wire m_wready,
  output wire [${d - 1}:0] m_wdata,
  output wire [${d / 8 - 1}:0] m_wstrb,
  output wire m_wlast,
  input wire m_bvalid,
  output wire m_bready,
  input wire [1:0] m_bresp,
  output wire m_arvalid,
  input wire m_arready,
  output wire [31:0] m_araddr,
  output wire [${L - 1}:0] m_arlen,
  output wire [2:0] m_arsize,
  input wire m_rvalid,
  output wire m_rready,
  input wire [${d - 1}:0] m_rdata,
  input wire [1:0] m_rresp,
  input wire m_rlast
);
${addr('aw', 'bq')}${addr('ar', 'rq')}
  // R: beats pass through; RLAST only on the last piece of a core burst.
  assign s_rvalid = m_rvalid;
  assign m_rready = s_rready;
  assign s_rdata = m_rdata;
  assign s_rresp = m_rresp;
  assign s_rid = rq_head[4:1];
  assign s_rlast = m_rlast && rq_head[0];
  always @(posedge clock) begin
    if (reset) rq_rd <= ${fifoLog + 1}'d0;
    else if (m_rvalid && m_rready && m_rlast) rq_rd <= rq_rd + ${fifoLog + 1}'d1;
  end

  // W: WLAST closes every ${max}-beat piece and the core's burst.
  reg [${cntBits - 1}:0] w_count;
  assign m_wvalid = s_wvalid;
  assign s_wready = m_wready;
  assign m_wdata = s_wdata;
  assign m_wstrb = s_wstrb;
  assign m_wlast = s_wlast || w_count == ${cntBits}'d${max - 1};
  always @(posedge clock) begin
    if (reset) w_count <= ${cntBits}'d0;
    else if (m_wvalid && m_wready) w_count <= m_wlast ? ${cntBits}'d0 : w_count + ${cntBits}'d1;
  end

  // B: the core sees one response per burst, on the last piece, with any piece's error.
  reg [1:0] b_err;
  wire b_last = bq_head[0];
  assign m_bready = b_last ? s_bready : 1'b1;
  assign s_bvalid = m_bvalid && b_last;
  assign s_bid = bq_head[4:1];
  assign s_bresp = m_bresp | b_err;
  always @(posedge clock) begin
    if (reset) begin
      bq_rd <= ${fifoLog + 1}'d0;
      b_err <= 2'd0;
    end else if (m_bvalid && m_bready) begin
      bq_rd <= bq_rd + ${fifoLog + 1}'d1;
      b_err <= b_last ? 2'd0 : (b_err | m_bresp);
    end
  end
endmodule
`;
}

/**
 * A module with the core's port contract (hw/vta/ports.ts) whose body is the board shell: TSIM drives the
 * shell's AXI names through it. Narrow IDs and AXI3 lengths are zero-extended; debug outputs read 0 (the
 * watchdog then relies on DRAM traffic alone).
 */
export function shellSimAdapterVerilog(plan: ShellPlan, name = 'VtaShellSimAdapter'): string {
  const core = corePorts({ busBits: plan.busBits });
  const decls = core.map((p) => `  ${p.dir} wire ${vec(p.width)}${p.name}`).join(',\n');
  const shellNames = new Set(plan.ports.map((p) => p.name));
  const conns: string[] = ['    .ap_clk(clock)', '    .ap_rst_n(~reset)'];
  const extra: string[] = [];
  for (const p of plan.ports) {
    if (p.iface === 'clock' || p.iface === 'reset') continue;
    const sig = p.name.replace(/^s_axi_control_/, 's_axil_').replace(/^m_axi_gmem_/, 'm_axi_');
    const c = core.find((x) => x.name === sig);
    if (!c && p.dir === 'input') {
      // Shell-only inputs (the register slave's AWPROT/ARPROT): the CPU's accesses, unprivileged and secure.
      conns.push(`    .${p.name}(${p.width}'b0)`);
      continue;
    }
    if (!c) {
      // Shell-only outputs (lock, qos, user, wid): observed, not used by TSIM.
      extra.push(`  wire ${vec(p.width)}${p.name};`);
      conns.push(`    .${p.name}(${p.name})`);
      continue;
    }
    if (c.width === p.width) conns.push(`    .${p.name}(${sig})`);
    else if (p.dir === 'input') conns.push(`    .${p.name}(${sig}[${p.width - 1}:0])`);
    else {
      extra.push(`  wire ${vec(p.width)}${p.name};`);
      conns.push(`    .${p.name}(${p.name})`);
    }
  }
  const widen = core
    .filter((c) => c.group === 'm_axi' && c.dir === 'output')
    .map((c) => {
      const shellName = c.name.replace(/^m_axi_/, 'm_axi_gmem_');
      if (!shellNames.has(shellName)) return null;
      const p = plan.ports.find((x) => x.name === shellName)!;
      return p.width === c.width ? null : `  assign ${c.name} = {${c.width - p.width}'b0, ${shellName}};`;
    })
    .filter((x): x is string => x !== null);
  const shellName = (c: { name: string }) => c.name.replace(/^s_axil_/, 's_axi_control_').replace(/^m_axi_/, 'm_axi_gmem_');
  const narrowedIn = core.filter((c) => c.dir === 'input' && plan.ports.some((p) => p.name === shellName(c) && p.width < c.width));
  const unusedShellOutputs = plan.ports.filter(
    (p) => p.dir === 'output' && !core.some((c) => c.name === p.name.replace(/^s_axi_control_/, 's_axil_').replace(/^m_axi_gmem_/, 'm_axi_')),
  );
  const unused = [...unusedShellOutputs.map((p) => p.name), ...narrowedIn.map((c) => c.name)];
  return `// Generated by vta-ts hw/boards/shell.ts: ${plan.board.name}'s board shell behind the core port contract, for TSIM.
module ${name} (
${decls}
);
${extra.join('\n')}
  ${SHELL_TOP} shell (
${conns.join(',\n')}
  );
${widen.join('\n')}
  assign debug_progress = ${DEBUG_BITS}'d0;
  assign debug_state = ${DEBUG_BITS}'d0;
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused_adapter = &{1'b0${unused.map((n) => `, ${n}`).join('')}};
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
`;
}
