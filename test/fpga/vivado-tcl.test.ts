// The Vivado flow (build.tcl) of the three Xilinx boards, run under a real tclsh with every Vivado command
// a recording stub that checks its arguments: the recorded sequence has the board's part, the PS ports, the
// requested frequency, the register window at the runtime's base, parallel jobs, and the outputs; timing
// failures and untested versions behave as documented; IP versions come from the catalogue.

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
      flags: { '-norecurse': 0 }, min: 1, max: 1,
      body: 'foreach f [lindex $pos 0] { if {![file exists $f] && ![string match *wrapper* $f]} { error "add_files: no such file $f" } }',
    },
    set_property: {
      flags: { '-dict': 1 }, min: 1, max: 3,
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
      min: 2, max: 2,
      body: `lassign $pos name obj
        switch -glob -- $name {
          PROGRESS { return 100% }
          STATS.WNS { return $::env(WNS) }
          STATS.WHS { return 0.051 }
          DIRECTORY { file mkdir vivado/runs/$obj; return [file normalize vivado/runs/$obj] }
          CONFIG.*ACT*FREQMHZ { return 99.999 }
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
    get_board_parts: { flags: { '-quiet': 0, '-latest_file_version': 0 }, min: 1, max: 1, body: 'return $::env(BOARD_PARTS)' },
    update_ip_catalog: { flags: { '-rebuild': 0 } },
    create_bd_design: { min: 1, max: 1 },
    create_bd_cell: {
      flags: { '-type': 1, '-vlnv': 1 }, min: 1, max: 1,
      body: 'if {![regexp {^[^:]+:[^:]+:[^:]+:[0-9.]+$} [dict get $flags -vlnv]]} { error "create_bd_cell: bad VLNV [dict get $flags -vlnv]" }; set ::cells([lindex $pos 0]) 1; return [lindex $pos 0]',
    },
    apply_bd_automation: { flags: { '-rule': 1, '-config': 1 }, min: 1, max: 1 },
    get_bd_pins: { min: 1, max: 1, body: 'set c [lindex [split [lindex $pos 0] /] 0]; if {![info exists ::cells($c)]} { error "get_bd_pins: no cell $c" }; return [lindex $pos 0]' },
    get_bd_intf_pins: { min: 1, max: 1, body: 'set c [lindex [split [lindex $pos 0] /] 0]; if {![info exists ::cells($c)]} { error "get_bd_intf_pins: no cell $c" }; return [lindex $pos 0]' },
    connect_bd_net: { min: 2, max: -1 },
    connect_bd_intf_net: { min: 2, max: 2 },
    assign_bd_address: {},
    get_bd_addr_spaces: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    get_bd_addr_segs: { flags: { '-of_objects': 1, '-filter': 1 }, body: 'return ps/Data/SEG_vta_reg0' },
    validate_bd_design: none,
    save_bd_design: none,
    get_files: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    generate_target: { min: 2, max: 2 },
    make_wrapper: { flags: { '-files': 1, '-top': 0 }, body: 'return vivado/vta_system_wrapper.v' },
    get_runs: { min: 1, max: 1, body: 'return [lindex $pos 0]' },
    launch_runs: {
      flags: { '-jobs': 1, '-to_step': 1 }, min: 1, max: 1,
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

function runVivado(dir: string, env: Partial<Record<'VIVADO_VERSION' | 'WNS' | 'BOARD_PARTS', string>> = {}, jobs = '6') {
  return runTclRecorded(dir, 'build.tcl', vivadoStubs(), [jobs], { VIVADO_VERSION: '2022.2', WNS: '0.123', BOARD_PARTS: '', ...env }, 'namespace eval ipx {}');
}

const calls = (all: string[][], cmd: string) => all.filter((c) => c[0] === cmd);

describe.each([
  ['pynq-z1', 'xc7z020clg400-1', 0x43c00000, 'processing_system7', 'S_AXI_ACP', 'M_AXI_GP0', 'CONFIG.PCW_FPGA0_PERIPHERAL_FREQMHZ', 'FCLK_CLK0'],
  ['ultra96', 'xczu3eg-sbva484-1-e', 0xa0000000, 'zynq_ultra_ps_e', 'S_AXI_HPC0_FPD', 'M_AXI_HPM0_FPD', 'CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ', 'pl_clk0'],
  ['zcu104', 'xczu7ev-ffvc1156-2-e', 0xa0000000, 'zynq_ultra_ps_e', 'S_AXI_HPC0_FPD', 'M_AXI_HPM0_FPD', 'CONFIG.PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ', 'pl_clk0'],
])('build.tcl for %s', (board, part, regBase, psIp, dataPort, ctrlPort, freqKey, clockPin) => {
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
    expect(run.stdout).toMatch(/vta fpga: wrote .*vta\.bit, vta\.hwh, vta\.xsa, report\.json \(Vivado 2022\.2, 99\.999 MHz, WNS 0\.123 ns\)/);
    expect(run.stdout).not.toMatch(/WARNING: vta fpga: Vivado/);
  });

  test('both projects are created on the board part', () => {
    const cp = calls(run.calls, 'create_project');
    expect(cp).toHaveLength(2);
    for (const c of cp) expect(flagValue(c, '-part')).toBe(part);
  });

  test('the shell is packaged as an IP from the generated files and used by VLNV, not as a module reference', () => {
    const files = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith('rtl/'));
    const added = calls(run.calls, 'add_files')[0][2].split(/\s+/).filter((s) => s !== '');
    expect(added.sort()).toEqual(files.sort());
    expect(calls(run.calls, 'ipx::package_project')).toHaveLength(1);
    expect(run.calls.some((c) => c[0] === 'set_property' && c[1] === 'top' && c[2] === 'VtaBoardShell')).toBe(true);
    expect(calls(run.calls, 'create_bd_cell').map((c) => flagValue(c, '-vlnv'))).toContain('vta-ts.local:vta:vta:1.0');
    expect(run.calls.some((c) => c.includes('-reference') || c[0] === 'create_bd_cell' && flagValue(c, '-type') === 'module')).toBe(false);
  });

  test('IP versions come from the catalogue, none is hard-coded', () => {
    const asked = calls(run.calls, 'get_ipdefs').map((c) => /NAME == (\S+)/.exec(flagValue(c, '-filter')!)![1]);
    expect(asked.sort()).toEqual([psIp, 'axi_interconnect', 'axi_interconnect', 'proc_sys_reset'].sort());
    const vlnvs = calls(run.calls, 'create_bd_cell').map((c) => flagValue(c, '-vlnv')!);
    expect(vlnvs.filter((v) => v.startsWith('xilinx.com:')).every((v) => v.endsWith(':7.7'))).toBe(true);
    expect(readFileSync(join(dir, 'build.tcl'), 'utf8')).not.toMatch(/xilinx\.com:ip:[a-z_0-9]+:\d/);
  });

  test('PS ports, clock at the requested frequency, interconnects and resets are wired', () => {
    const dict = calls(run.calls, 'set_property').find((c) => c[1] === '-dict' && c[3] === 'ps')!;
    const kv = dict[2].split(/\s+/);
    expect(kv[kv.indexOf(freqKey) + 1]).toBe(String(freq));
    const intf = calls(run.calls, 'connect_bd_intf_net').map((c) => c.slice(1).join(' '));
    expect(intf).toEqual([
      `ps/${ctrlPort} ctrl_ic/S00_AXI`, 'ctrl_ic/M00_AXI vta/s_axi_control', 'vta/m_axi_gmem mem_ic/S00_AXI', `mem_ic/M00_AXI ps/${dataPort}`,
    ]);
    const clockNet = calls(run.calls, 'connect_bd_net').find((c) => c[1] === `ps/${clockPin}`)!;
    expect(clockNet).toContain('vta/ap_clk');
    expect(calls(run.calls, 'connect_bd_net').some((c) => c.includes('rst/peripheral_aresetn') && c.includes('vta/ap_rst_n'))).toBe(true);
  });

  test('the register window is placed at the runtime base and validated', () => {
    const seg = calls(run.calls, 'set_property').filter((c) => c[3] === 'ps/Data/SEG_vta_reg0');
    expect(seg.find((c) => c[1] === 'offset')![2]).toBe(`0x${regBase.toString(16).toUpperCase()}`);
    expect(seg.find((c) => c[1] === 'range')![2]).toBe('4096');
    expect(Number(`0x${regBase.toString(16)}`)).toBe(boardByName(board).ports.registerBase);
    const order = run.calls.map((c) => c[0]);
    expect(order.indexOf('validate_bd_design')).toBeGreaterThan(order.indexOf('assign_bd_address'));
    expect(order.indexOf('launch_runs')).toBeGreaterThan(order.indexOf('validate_bd_design'));
  });

  test('synthesis and implementation use the jobs argument; .bit, .hwh, .xsa and report.json are written', () => {
    const runs = calls(run.calls, 'launch_runs');
    expect(runs.map((c) => [c[1], flagValue(c, "-jobs")])).toEqual([['synth_1', '6'], ['impl_1', '6']]);
    expect(flagValue(runs[1], '-to_step')).toBe('write_bitstream');
    for (const f of ['vta.bit', 'vta.hwh', 'vta.xsa', 'report.json', 'utilization.rpt', 'timing.rpt']) expect(existsSync(join(dir, 'output', f))).toBe(true);
    const report = JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8'));
    expect(report).toMatchObject({ board, part, tool: 'vivado', toolVersion: '2022.2', requestedMhz: freq, actualMhz: 99.999, wnsNs: 0.123, timingMet: true });
    expect(report.utilization.lut).toEqual({ used: 41000, available: 70560 });
    expect(report.utilization.dsp).toEqual({ used: 260, available: 360 });
  });
});

describe('build.tcl behaviour', () => {
  test('timing not met: report.json says so and the script fails with the slack', async () => {
    const dir = writeBundle(await makeBundle('ultra96'));
    const r = runVivado(dir, { WNS: '-0.25' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/timing not met at 99\.999 MHz \(WNS -0\.25 ns/);
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

  test('installed board files are used for the PS preset', async () => {
    const dir = writeBundle(await makeBundle('zcu104'));
    const r = runVivado(dir, { BOARD_PARTS: 'xilinx.com:zcu104:part0:1.1' });
    expect(r.status).toBe(0);
    expect(run0(r.calls, 'set_property').some((c) => c[1] === 'board_part' && c[2] === 'xilinx.com:zcu104:part0:1.1')).toBe(true);
    expect(run0(r.calls, 'apply_bd_automation').some((c) => /apply_board_preset/.test(flagValue(c, '-config')!))).toBe(true);
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
