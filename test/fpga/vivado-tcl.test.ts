// The Vivado flow (build.tcl) of the three Xilinx boards, run under a real tclsh with every Vivado command
// a recording stub that checks its arguments: the recorded sequence has the board's part, the PS ports, the
// PS's 100 MHz clock through a clocking wizard at the requested frequency, one block automation with the
// board preset (or the board's own DDR settings without board files, never over the preset), the register
// window at the runtime's base and only DDR in the core's address space, parallel jobs, and the outputs;
// timing failures and untested versions behave as documented; IP versions come from the catalogue.

import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { boardByName } from '../../hw/boards/boards';
import { cleanup, makeBundle, writeBundle } from './helpers';
import { flagValue, runTclRecorded, StubSpec } from './tcl-harness';

afterAll(cleanup);

/** Vivado's commands as build.tcl uses them; state (cells, properties, runs) lives in Tcl globals. */
function vivadoStubs(): Record<string, StubSpec> {
  const none = { min: 0, max: 0 };
  return {
    version: { flags: { '-short': 0 }, body: 'return $::env(VIVADO_VERSION)' },
    get_ipdefs: {
      flags: { '-all': 0, '-filter': 1 },
      body: 'regexp {NAME == (\\S+)} [dict get $flags -filter] -> n; return "xilinx.com:ip:$n:7.7"',
    },
    create_project: { flags: { '-force': 0, '-part': 1 }, min: 2, max: 2, body: 'set ::project [lindex $pos 0]; return [lindex $pos 0]' },
    close_project: none,
    add_files: {
      flags: { '-norecurse': 0 },
      min: 1,
      max: 1,
      body: 'foreach f [lindex $pos 0] { if {![file exists $f] && ![string match *wrapper* $f]} { error "add_files: no such file $f" } }',
    },
    set_property: {
      flags: { '-dict': 1 },
      min: 1,
      max: 3,
      body: `if {[dict exists $flags -dict]} {
        if {[llength $pos] != 1} { error "set_property -dict: one object expected" }
        if {[llength [dict get $flags -dict]] % 2} { error "set_property -dict: odd list" }
        foreach {k v} [dict get $flags -dict] { set ::prop([lindex $pos 0],$k) $v }
      } else {
        if {[llength $pos] != 3} { error "set_property: name value objects expected, got $pos" }
        set ::prop([lindex $pos 2],[lindex $pos 0]) [lindex $pos 1]
      }`,
    },
    get_property: {
      min: 2,
      max: 2,
      body: `lassign $pos name obj
        switch -glob -- $name {
          PROGRESS { return 100% }
          STATS.WNS { return $::env(WNS) }
          STATS.WHS { return 0.051 }
          DIRECTORY { file mkdir vivado/runs/$obj; return [file normalize vivado/runs/$obj] }
          CONFIG.FREQ_HZ { return $::env(CLK_OUT_HZ) }
          PART_NAME { return $::env(BOARD_PART_NAME) }
          offset { if {[info exists ::offset($obj)]} { return $::offset($obj) }; error "get_property: $obj has no offset" }
          default { if {[info exists ::prop($obj,$name)]} { return $::prop($obj,$name) }; error "get_property: $name of $obj was never set" }
        }`,
    },
    current_project: none,
    current_fileset: none,
    update_compile_order: { flags: { '-fileset': 1 } },
    'ipx::package_project': { flags: { '-root_dir': 1, '-vendor': 1, '-library': 1, '-taxonomy': 1, '-import_files': 0, '-force': 0 } },
    'ipx::current_core': { body: 'return core' },
    'ipx::associate_bus_interfaces': { flags: { '-busif': 1, '-clock': 1 }, min: 1, max: 1 },
    'ipx::get_memory_maps': { flags: { '-of_objects': 1 }, min: 1, max: 1, body: 'return "mm:[lindex $pos 0]"' },
    'ipx::get_address_blocks': { flags: { '-of_objects': 1 }, body: 'return "ab:[dict get $flags -of_objects]"' },
    'ipx::create_xgui_files': { min: 1, max: 1 },
    'ipx::update_checksums': { min: 1, max: 1 },
    'ipx::check_integrity': { min: 1, max: 1 },
    'ipx::save_core': { min: 1, max: 1 },
    get_board_parts: {
      flags: { '-quiet': 0, '-latest_file_version': 0 },
      min: 1,
      max: 1,
      body: 'if {![string match [lindex $pos 0] $::env(BOARD_PARTS)]} { return {} }; return $::env(BOARD_PARTS)',
    },
    update_ip_catalog: { flags: { '-rebuild': 0 } },
    create_bd_design: { min: 1, max: 1 },
    create_bd_cell: {
      flags: { '-type': 1, '-vlnv': 1 },
      min: 1,
      max: 1,
      body: 'if {![regexp {^[^:]+:[^:]+:[^:]+:[0-9.]+$} [dict get $flags -vlnv]]} { error "create_bd_cell: bad VLNV [dict get $flags -vlnv]" }; set ::cells([lindex $pos 0]) 1; return [lindex $pos 0]',
    },
    apply_bd_automation: { flags: { '-rule': 1, '-config': 1 }, min: 1, max: 1 },
    get_bd_pins: {
      min: 1,
      max: 1,
      body: 'set c [lindex [split [lindex $pos 0] /] 0]; if {![info exists ::cells($c)]} { error "get_bd_pins: no cell $c" }; return [lindex $pos 0]',
    },
    get_bd_intf_pins: {
      min: 1,
      max: 1,
      body: 'set c [lindex [split [lindex $pos 0] /] 0]; if {![info exists ::cells($c)]} { error "get_bd_intf_pins: no cell $c" }; return [lindex $pos 0]',
    },
    connect_bd_net: { min: 2, max: -1 },
    connect_bd_intf_net: { min: 2, max: 2 },
    // Segments: the shell's register block, and the PS's slave segments (DDR, OCM, QSPI...) by path.
    assign_bd_address: {
      flags: { '-target_address_space': 1, '-offset': 1, '-range': 1 },
      min: 1,
      max: 1,
      body: `set space [dict get $flags -target_address_space]
        foreach seg [lindex $pos 0] {
          set name "$space/SEG_[string map {/ _} $seg]"
          lappend ::assigned($space) $name
          if {[dict exists $flags -offset]} { set ::offset($name) [dict get $flags -offset] }
        }`,
    },
    get_bd_addr_spaces: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    get_bd_addr_segs: {
      flags: { '-of_objects': 1, '-filter': 1 },
      min: 0,
      max: 1,
      body: `if {[dict exists $flags -of_objects]} {
          set space [dict get $flags -of_objects]
          if {![info exists ::assigned($space)]} { return {} }
          if {[dict exists $flags -filter]} { return [lsearch -all -inline $::assigned($space) *vta*] }
          return $::assigned($space)
        }
        set known {vta/s_axi_control/reg0 ps/S_AXI_ACP/ACP_DDR_LOWOCM ps/S_AXI_ACP/ACP_IOP ps/S_AXI_ACP/ACP_QSPI_LINEAR ps/SAXIGP0/HPC0_DDR_LOW ps/SAXIGP0/HPC0_LPS_OCM ps/SAXIGP0/HPC0_QSPI}
        return [lsearch -all -inline $known [lindex $pos 0]]`,
    },
    validate_bd_design: none,
    save_bd_design: none,
    get_files: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    generate_target: { min: 2, max: 2 },
    make_wrapper: { flags: { '-files': 1, '-top': 0 }, body: 'return vivado/vta_system_wrapper.v' },
    get_runs: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    launch_runs: {
      flags: { '-jobs': 1, '-to_step': 1 },
      min: 1,
      max: 1,
      body: `if {[lindex $pos 0] eq "impl_1"} {
        file mkdir vivado/runs/impl_1 vivado/vta.gen/sources_1/bd/vta_system/hw_handoff
        close [open vivado/runs/impl_1/vta_system_wrapper.bit w]
        close [open vivado/vta.gen/sources_1/bd/vta_system/hw_handoff/vta_system.hwh w]
      }`,
    },
    wait_on_run: { min: 1, max: 1 },
    open_run: { min: 1, max: 1 },
    report_utilization: {
      flags: { '-file': 1, '-return_string': 0 },
      body: `if {[dict exists $flags -file]} { close [open [dict get $flags -file] w]; return }
        return "| Site Type | Used | Fixed | Prohibited | Available | Util% |\\n| CLB LUTs | 41000 | 0 | 0 | 70560 | 58.1 |\\n| CLB Registers | 50000 | 0 | 0 | 141120 | 35.4 |\\n| Block RAM Tile | 120 | 0 | 0 | 216 | 55.6 |\\n| DSPs | 260 | 0 | 0 | 360 | 72.2 |"`,
    },
    report_timing_summary: { flags: { '-file': 1 }, body: 'close [open [dict get $flags -file] w]' },
    write_hw_platform: { flags: { '-fixed': 0, '-include_bit': 0, '-force': 0, '-file': 1 }, body: 'close [open [dict get $flags -file] w]' },
  };
}

type VivadoEnv = Partial<Record<'VIVADO_VERSION' | 'WNS' | 'BOARD_PARTS' | 'BOARD_PART_NAME' | 'CLK_OUT_HZ', string>>;

function runVivado(dir: string, env: VivadoEnv = {}, jobs = '6') {
  const defaults = { VIVADO_VERSION: '2022.2', WNS: '0.123', BOARD_PARTS: '', BOARD_PART_NAME: '', CLK_OUT_HZ: '142857142' };
  return runTclRecorded(dir, 'build.tcl', vivadoStubs(), [jobs], { ...defaults, ...env }, 'namespace eval ipx {}');
}

/** The KEY VALUE pairs of the set_property -dict calls on cell `cell`, in order. */
function dictSettings(all: string[][], cell: string): [string, string][] {
  return all
    .filter((c) => c[0] === 'set_property' && c[1] === '-dict' && c[3] === cell)
    .flatMap((c) => {
      const words = c[2].trim().split(/\s+(?=CONFIG\.)/);
      return words.map((w) => {
        const m = /^(CONFIG\.\S+)\s+\{?(.*?)\}?$/.exec(w.trim())!;
        return [m[1], m[2]] as [string, string];
      });
    });
}

const calls = (all: string[][], cmd: string) => all.filter((c) => c[0] === cmd);

describe.each([
  [
    'pynq-z1',
    'xc7z020clg400-1',
    0x43c00000,
    'processing_system7',
    'S_AXI_ACP',
    'M_AXI_GP0',
    'CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ',
    'FCLK_CLK0',
    'ps/S_AXI_ACP/ACP_DDR_LOWOCM',
  ],
  [
    'ultra96',
    'xczu3eg-sbva484-1-i',
    0xa0000000,
    'zynq_ultra_ps_e',
    'S_AXI_HPC0_FPD',
    'M_AXI_HPM0_FPD',
    'CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ',
    'pl_clk0',
    'ps/SAXIGP0/HPC0_DDR_LOW',
  ],
  [
    'zcu104',
    'xczu7ev-ffvc1156-2-e',
    0xa0000000,
    'zynq_ultra_ps_e',
    'S_AXI_HPC0_FPD',
    'M_AXI_HPM0_FPD',
    'CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ',
    'pl_clk0',
    'ps/SAXIGP0/HPC0_DDR_LOW',
  ],
])('build.tcl for %s', (board, part, regBase, psIp, dataPort, ctrlPort, freqKey, clockPin, ddrSegment) => {
  let dir: string;
  let run: ReturnType<typeof runVivado>;
  const freq = board === 'pynq-z1' ? 142 : 300;
  beforeAll(async () => {
    dir = writeBundle(await makeBundle(board, undefined, freq));
    run = runVivado(dir);
  });

  test('runs to the end under tclsh (no syntax error, unset variable or malformed call)', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/vta fpga: wrote .*vta\.bit, vta\.hwh, vta\.xsa, report\.json \(Vivado 2022\.2, 142\.857 MHz, WNS 0\.123 ns\)/);
    expect(run.stdout).not.toMatch(/WARNING: vta fpga: Vivado/);
  });

  test('both projects are created on the board part', () => {
    const cp = calls(run.calls, 'create_project');
    expect(cp).toHaveLength(2);
    for (const c of cp) expect(flagValue(c, '-part')).toBe(part);
  });

  test('the shell is packaged as an IP from the generated files and used by VLNV, not as a module reference', () => {
    const files = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
      .files.map((f: { path: string }) => f.path)
      .filter((p: string) => p.startsWith('rtl/'));
    const added = calls(run.calls, 'add_files')[0][2]
      .split(/\s+/)
      .filter((s) => s !== '');
    expect(added.sort()).toEqual(files.sort());
    expect(calls(run.calls, 'ipx::package_project')).toHaveLength(1);
    expect(run.calls.some((c) => c[0] === 'set_property' && c[1] === 'top' && c[2] === 'VtaBoardShell')).toBe(true);
    expect(calls(run.calls, 'create_bd_cell').map((c) => flagValue(c, '-vlnv'))).toContain('vta-ts.local:vta:vta:1.0');
    expect(run.calls.some((c) => c.includes('-reference') || (c[0] === 'create_bd_cell' && flagValue(c, '-type') === 'module'))).toBe(false);
  });

  test('IP versions come from the catalogue, none is hard-coded', () => {
    const asked = calls(run.calls, 'get_ipdefs').map((c) => /NAME == (\S+)/.exec(flagValue(c, '-filter')!)![1]);
    expect(asked.sort()).toEqual([psIp, 'clk_wiz', 'axi_interconnect', 'axi_interconnect', 'proc_sys_reset'].sort());
    const vlnvs = calls(run.calls, 'create_bd_cell').map((c) => flagValue(c, '-vlnv')!);
    expect(vlnvs.filter((v) => v.startsWith('xilinx.com:')).every((v) => v.endsWith(':7.7'))).toBe(true);
    expect(readFileSync(join(dir, 'build.tcl'), 'utf8')).not.toMatch(/xilinx\.com:ip:[a-z_0-9]+:\d/);
  });

  test('the PS makes 100 MHz; a clocking wizard makes the requested clock for the core, the PS ports and the interconnects', () => {
    const ps = Object.fromEntries(dictSettings(run.calls, 'ps'));
    expect(ps[freqKey]).toBe('100');
    expect(Object.fromEntries(dictSettings(run.calls, 'clk_wiz'))).toMatchObject({
      'CONFIG.CLKOUT1_REQUESTED_OUT_FREQ': String(freq),
      'CONFIG.USE_LOCKED': 'true',
    });
    const nets = calls(run.calls, 'connect_bd_net').map((c) => c.slice(1));
    expect(nets).toContainEqual([`ps/${clockPin}`, 'clk_wiz/clk_in1']);
    const coreClock = nets.find((n) => n[0] === 'clk_wiz/clk_out1')!;
    expect(coreClock).toEqual(expect.arrayContaining(['vta/ap_clk', 'rst/slowest_sync_clk', 'ctrl_ic/ACLK', 'mem_ic/M00_ACLK']));
    expect(coreClock.filter((p) => p.startsWith('ps/'))).toHaveLength(2); // the master's and the slave's clocks
    expect(nets.some((n) => n[0] === `ps/${clockPin}` && n.includes('vta/ap_clk'))).toBe(false);
    expect(nets).toContainEqual(['clk_wiz/locked', 'rst/dcm_locked']);
    const intf = calls(run.calls, 'connect_bd_intf_net').map((c) => c.slice(1).join(' '));
    expect(intf).toEqual([
      `ps/${ctrlPort} ctrl_ic/S00_AXI`,
      'ctrl_ic/M00_AXI vta/s_axi_control',
      'vta/m_axi_gmem mem_ic/S00_AXI',
      `mem_ic/M00_AXI ps/${dataPort}`,
    ]);
    expect(nets.some((n) => n.includes('rst/peripheral_aresetn') && n.includes('vta/ap_rst_n'))).toBe(true);
    // report.json's clock is the wizard's actual output
    expect(JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8')).actualMhz).toBe(142.857);
  });

  test("registers at the runtime base; the core's address space holds the DDR segment only (no bare assign_bd_address)", () => {
    const assigns = calls(run.calls, 'assign_bd_address');
    expect(assigns.map((c) => [flagValue(c, '-target_address_space'), c[c.length - 1]])).toEqual([
      ['ps/Data', 'vta/s_axi_control/reg0'],
      ['vta/m_axi_gmem', ddrSegment],
    ]);
    expect(flagValue(assigns[0], '-offset')).toBe(`0x${regBase.toString(16).toUpperCase()}`);
    expect(flagValue(assigns[0], '-range')).toBe('4096');
    expect(flagValue(assigns[1], '-offset')).toBeUndefined();
    expect(Number(`0x${regBase.toString(16)}`)).toBe(boardByName(board).ports.registerBase);
    const order = run.calls.map((c) => c[0]);
    expect(order.indexOf('validate_bd_design')).toBeGreaterThan(order.lastIndexOf('assign_bd_address'));
    expect(order.indexOf('launch_runs')).toBeGreaterThan(order.indexOf('validate_bd_design'));
  });

  test('one block automation on the PS; without board files no preset, and nothing sets memory over a preset', () => {
    const auto = calls(run.calls, 'apply_bd_automation');
    expect(auto).toHaveLength(1);
    const config = flagValue(auto[0], '-config')!;
    expect(config).toMatch(/apply_board_preset 0/);
    if (board === 'pynq-z1') expect(config).toMatch(/^make_external \{FIXED_IO, DDR\} apply_board_preset 0 Master Disable Slave Disable$/);
    expect(run.stdout).toMatch(/WARNING: vta fpga: board files for .* are not installed/);
  });

  test('synthesis and implementation use the jobs argument; .bit, .hwh, .xsa and report.json are written', () => {
    const runs = calls(run.calls, 'launch_runs');
    expect(runs.map((c) => [c[1], flagValue(c, '-jobs')])).toEqual([
      ['synth_1', '6'],
      ['impl_1', '6'],
    ]);
    expect(flagValue(runs[1], '-to_step')).toBe('write_bitstream');
    for (const f of ['vta.bit', 'vta.hwh', 'vta.xsa', 'report.json', 'utilization.rpt', 'timing.rpt']) expect(existsSync(join(dir, 'output', f))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8'));
    expect(report).toMatchObject({ board, part, tool: 'vivado', toolVersion: '2022.2', requestedMhz: freq, actualMhz: 142.857, wnsNs: 0.123, timingMet: true });
    expect(report.utilization.lut).toEqual({ used: 41000, available: 70560 });
    expect(report.utilization.dsp).toEqual({ used: 260, available: 360 });
  });
});

describe('build.tcl behaviour', () => {
  test('timing not met: report.json says so and the script fails with the slack', async () => {
    const dir = writeBundle(await makeBundle('ultra96'));
    const r = runVivado(dir, { WNS: '-0.25', CLK_OUT_HZ: '199999999' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/timing not met at 200\.000 MHz \(WNS -0\.25 ns/);
    expect(JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8')).timingMet).toBe(false);
    expect(existsSync(join(dir, 'output/vta.bit'))).toBe(false);
  });

  test('an untested Vivado version warns and carries on; the version is recorded', async () => {
    const dir = writeBundle(await makeBundle('pynq-z1'));
    const r = runVivado(dir, { VIVADO_VERSION: '2019.1' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/WARNING: vta fpga: Vivado 2019\.1 is not one these scripts were tested with/);
    expect(JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8')).toolVersion).toBe('2019.1');
  });

  test("installed board files are used for the PS preset, in the one automation, and the board's memory is not set over it", async () => {
    const dir = writeBundle(await makeBundle('pynq-z1'));
    const r = runVivado(dir, { BOARD_PARTS: 'www.digilentinc.com:pynq-z1:part0:1.0', BOARD_PART_NAME: 'xc7z020clg400-1' });
    expect(r.status).toBe(0);
    expect(run0(r.calls, 'set_property').some((c) => c[1] === 'board_part' && c[2] === 'www.digilentinc.com:pynq-z1:part0:1.0')).toBe(true);
    const auto = run0(r.calls, 'apply_bd_automation');
    expect(auto).toHaveLength(1);
    expect(flagValue(auto[0], '-config')).toBe('make_external {FIXED_IO, DDR} apply_board_preset 1 Master Disable Slave Disable');
    const ps = dictSettings(r.calls, 'ps').map(([k]) => k);
    expect(ps.filter((k) => /DDR|MIO|BANK|UART|ENET|SD0|USB0|QSPI|CRYSTAL/.test(k))).toEqual([]);
  });

  test("without board files the PYNQ-Z1's own DDR (custom part, board delays) and MIO are set instead", async () => {
    const dir = writeBundle(await makeBundle('pynq-z1'));
    const r = runVivado(dir);
    expect(r.status).toBe(0);
    const ps = dictSettings(r.calls, 'ps');
    const keys = ps.map(([k]) => k);
    expect(keys.indexOf('CONFIG.PCW_UIPARAM_DDR_PARTNO')).toBeLessThan(keys.indexOf('CONFIG.PCW_UIPARAM_DDR_BOARD_DELAY0'));
    expect(Object.fromEntries(ps)).toMatchObject({
      'CONFIG.PCW_UIPARAM_DDR_PARTNO': 'Custom',
      'CONFIG.PCW_UIPARAM_DDR_BOARD_DELAY0': '0.223',
      'CONFIG.PCW_UIPARAM_DDR_DQS_TO_CLK_DELAY_1': '0.058',
      'CONFIG.PCW_UIPARAM_DDR_FREQ_MHZ': '525',
      'CONFIG.PCW_UART0_UART0_IO': 'MIO 14 .. 15',
    });
  });

  test("Ultra96-V2: any vendor's ultra96v2 board files (avnet.com, Avnet-tria) are used when made for the part, else refused", async () => {
    const dir = writeBundle(await makeBundle('ultra96'));
    expect(readFileSync(join(dir, 'build.tcl'), 'utf8')).toContain('get_board_parts -quiet -latest_file_version {*:ultra96v2:part0:*}');
    const ok = runVivado(dir, { BOARD_PARTS: 'avnet-tria.com:ultra96v2:part0:1.3', BOARD_PART_NAME: 'xczu3eg-sbva484-1-i' });
    expect(ok.status).toBe(0);
    expect(run0(ok.calls, 'set_property').some((c) => c[1] === 'board_part' && c[2] === 'avnet-tria.com:ultra96v2:part0:1.3')).toBe(true);
    expect(flagValue(run0(ok.calls, 'apply_bd_automation')[0], '-config')).toBe('apply_board_preset 1');
    const v1 = runVivado(dir, { BOARD_PARTS: 'em.avnet.com:ultra96v2:part0:1.0', BOARD_PART_NAME: 'xczu3eg-sbva484-1-e' });
    expect(v1.status).toBe(0);
    expect(v1.stdout).toMatch(
      /WARNING: vta fpga: board files em\.avnet\.com:ultra96v2:part0:1\.0 are for xczu3eg-sbva484-1-e, not xczu3eg-sbva484-1-i; not using them/,
    );
    expect(run0(v1.calls, 'set_property').some((c) => c[1] === 'board_part')).toBe(false);
    expect(flagValue(run0(v1.calls, 'apply_bd_automation')[0], '-config')).toBe('apply_board_preset 0');
  });

  test('the harness catches a malformed call (the check is real)', async () => {
    const dir = writeBundle(await makeBundle('pynq-z1'));
    const path = join(dir, 'build.tcl');
    const text = readFileSync(path, 'utf8').replace('launch_runs synth_1 -jobs $jobs', 'launch_runs synth_1 -job $jobs');
    writeFileSync(path, text);
    const r = runVivado(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/launch_runs: unknown option -job/);
  });
});

function run0(all: string[][], cmd: string) {
  return all.filter((c) => c[0] === cmd);
}
