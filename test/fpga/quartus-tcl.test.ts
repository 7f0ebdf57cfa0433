// The DE10-Nano flow under a real tclsh with recording stubs: the Platform Designer component declares
// exactly the shell's ports (names, directions, widths, AWPROT/ARPROT on the register slave) as AXI3/
// AXI4-Lite/clock/reset interfaces, with a clock sink that takes any rate; the system has the 64-bit f2h
// bridge, the PLL at the requested frequency and the registers at 0xFF220000; project.tcl writes the
// project on the part with the pins and nothing else (synthesis, the HPS SDRAM pin script and the compile
// are build.sh's separate processes); report.tcl reads the summaries (bare register counts too), writes
// report.json and fails on negative slack.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { cleanup, makeBundle, writeBundle } from './helpers';
import { flagValue, runTclRecorded, StubSpec } from './tcl-harness';

afterAll(cleanup);

// `package require` is recorded and answered; other package subcommands go to Tcl's own.
const PACKAGE_SETUP = `rename package _tcl_package
proc package {sub args} {
  if {$sub eq "require"} { record [linsert $args 0 package require]; return 1.0 }
  return [_tcl_package $sub {*}$args]
}`;

const componentStubs: Record<string, StubSpec> = {
  set_module_property: { min: 2, max: 2 },
  add_fileset: { min: 4, max: 4 },
  set_fileset_property: { min: 3, max: 3 },
  add_fileset_file: { min: 4, max: 5, body: 'if {![file exists [lindex $pos 3]]} { error "add_fileset_file: no such file [lindex $pos 3]" }' },
  add_interface: { min: 3, max: 3, body: 'set ::iface([lindex $pos 0]) [lindex $pos 1]' },
  set_interface_property: {
    min: 3,
    max: 3,
    body: 'if {![info exists ::iface([lindex $pos 0])]} { error "set_interface_property: no interface [lindex $pos 0]" }',
  },
  add_interface_port: { min: 5, max: 5, body: 'if {![info exists ::iface([lindex $pos 0])]} { error "add_interface_port: no interface [lindex $pos 0]" }' },
};

const systemStubs: Record<string, StubSpec> = {
  create_system: { min: 1, max: 1 },
  set_project_property: { min: 2, max: 2 },
  add_instance: { min: 2, max: 3, body: 'set ::inst([lindex $pos 0]) [lindex $pos 1]' },
  set_instance_parameter_value: { min: 3, max: 3, body: 'if {![info exists ::inst([lindex $pos 0])]} { error "no instance [lindex $pos 0]" }' },
  add_connection: {
    min: 2,
    max: 2,
    body: 'foreach e $pos { if {![info exists ::inst([lindex [split $e .] 0])]} { error "add_connection: no instance in $e" } }; set ::conn([join $pos /]) 1',
  },
  set_connection_parameter_value: { min: 3, max: 3, body: 'if {![info exists ::conn([lindex $pos 0])]} { error "no connection [lindex $pos 0]" }' },
  add_interface: { min: 3, max: 3 },
  set_interface_property: { min: 3, max: 3 },
  save_system: { min: 1, max: 1, body: 'close [open [lindex $pos 0] w]' },
};

const projectStubs: Record<string, StubSpec> = {
  project_new: { flags: { '-overwrite': 0 }, min: 1, max: 1 },
  project_close: {},
  set_global_assignment: { flags: { '-name': 1 }, min: 1, max: 1 },
  set_location_assignment: { flags: { '-to': 1 }, min: 1, max: 1 },
  set_instance_assignment: { flags: { '-name': 1, '-to': 1 }, min: 1, max: 1 },
};

/** The compile's summaries as Quartus writes them (Cyclone V: a bare count of registers). */
function writeSummaries(dir: string, setupSlack: string) {
  mkdirSync(join(dir, 'output_files'), { recursive: true });
  writeFileSync(
    join(dir, 'output_files/vta.sta.summary'),
    [
      "Type  : Slow 1100mV 85C Model Setup 'soc|pll_0|outclk0'",
      `Slack : ${setupSlack}`,
      'TNS   : 0.000',
      '',
      "Type  : Slow 1100mV 85C Model Hold 'soc|pll_0|outclk0'",
      'Slack : 0.210',
      'TNS   : 0.000',
      '',
      "Type  : Fast 1100mV 0C Model Setup 'soc|pll_0|outclk0'",
      'Slack : 2.500',
      'TNS   : 0.000',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'output_files/vta.fit.summary'),
    [
      'Fitter Status : Successful - Mon Dec  7 12:00:00 2026',
      'Logic utilization (in ALMs) : 21,345 / 41,910 ( 51 % )',
      'Total registers : 40123',
      'Total pins : 55 / 314 ( 18 % )',
      'Total block memory bits : 3,932,160 / 5,662,720 ( 69 % )',
      'Total DSP Blocks : 84 / 112 ( 75 % )',
      '',
    ].join('\n'),
  );
}

const calls = (all: string[][], cmd: string) => all.filter((c) => c[0] === cmd);

/** `input wire [7:0] name` declarations of the shell's module header. */
function shellPorts(verilog: string): Map<string, [string, number]> {
  const ports = new Map<string, [string, number]>();
  const header = verilog.slice(verilog.indexOf('module VtaBoardShell'), verilog.indexOf(');'));
  for (const m of header.matchAll(/(input|output) wire (?:\[(\d+):0\] )?(\w+)/g)) ports.set(m[3], [m[1], m[2] ? Number(m[2]) + 1 : 1]);
  return ports;
}

describe('DE10-Nano flow', () => {
  let dir: string;
  beforeAll(async () => {
    dir = writeBundle(await makeBundle('de10-nano', undefined, 120));
  });

  test('vta_hw.tcl declares every shell port once, with its direction and width, in the right interface', () => {
    const r = runTclRecorded(dir, 'vta_hw.tcl', componentStubs, [], {}, PACKAGE_SETUP);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const verilog = readFileSync(join(dir, 'rtl/VtaBoardShell.v'), 'utf8');
    const want = shellPorts(verilog);
    const got = new Map(calls(r.calls, 'add_interface_port').map((c) => [c[2], [c[4] === 'Input' ? 'input' : 'output', Number(c[5])] as [string, number]]));
    expect(got).toEqual(want);
    // AXI3 with 4-bit lengths: the 16-beat limit is in the port widths.
    expect(want.get('m_axi_gmem_awlen')).toEqual(['output', 4]);
    expect(want.get('m_axi_gmem_wid')).toEqual(['output', 1]);
    expect(want.get('m_axi_gmem_awuser')).toEqual(['output', 5]);
    const ifaces = Object.fromEntries(calls(r.calls, 'add_interface').map((c) => [c[1], `${c[2]} ${c[3]}`]));
    expect(ifaces).toEqual({ clock: 'clock end', reset: 'reset end', s_axi_control: 'axi4lite end', m_axi_gmem: 'axi start' });
    for (const c of calls(r.calls, 'add_interface_port')) {
      expect(c[1]).toBe(c[2] === 'ap_clk' ? 'clock' : c[2] === 'ap_rst_n' ? 'reset' : c[2].replace(/^(s_axi_control|m_axi_gmem)_.*$/, '$1'));
    }
    expect(calls(r.calls, 'set_fileset_property').find((c) => c[2] === 'TOP_LEVEL')![3]).toBe('VtaBoardShell');
  });

  test('soc_system.tcl: part, HPS bridges, PLL at the requested frequency, register window at 0xFF220000', () => {
    const r = runTclRecorded(dir, 'soc_system.tcl', systemStubs, [], {}, PACKAGE_SETUP);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const param = (inst: string, name: string) => calls(r.calls, 'set_instance_parameter_value').find((c) => c[1] === inst && c[2] === name)?.[3];
    expect(calls(r.calls, 'set_project_property').find((c) => c[1] === 'DEVICE')![2]).toBe('5CSEBA6U23I7');
    expect(param('hps_0', 'F2S_Width')).toBe('2');
    expect(param('hps_0', 'LWH2F_Enable')).toBe('true');
    expect(param('pll_0', 'gui_output_clock_frequency0')).toBe('120');
    expect(param('pll_0', 'gui_reference_clock_frequency')).toBe('50.0');
    const conns = calls(r.calls, 'add_connection').map((c) => `${c[1]} -> ${c[2]}`);
    expect(conns).toEqual(
      expect.arrayContaining([
        'hps_0.h2f_lw_axi_master -> vta_0.s_axi_control',
        'vta_0.m_axi_gmem -> hps_0.f2h_axi_slave',
        'pll_0.outclk0 -> vta_0.clock',
        'pll_0.outclk0 -> hps_0.f2h_axi_clock',
        'hps_0.h2f_reset -> vta_0.reset',
      ]),
    );
    const base = calls(r.calls, 'set_connection_parameter_value').find((c) => c[1] === 'hps_0.h2f_lw_axi_master/vta_0.s_axi_control')!;
    expect(0xff200000 + Number(base[3])).toBe(0xff220000);
    expect(existsSync(join(dir, 'soc_system.qsys'))).toBe(true);
  });

  test("vta_hw.tcl: the clock sink takes any rate, so the PLL's actual output is accepted; the register slave has AWPROT/ARPROT", () => {
    const r = runTclRecorded(dir, 'vta_hw.tcl', componentStubs, [], {}, PACKAGE_SETUP);
    expect(r.status).toBe(0);
    expect(
      calls(r.calls, 'set_interface_property')
        .filter((c) => c[2] === 'clockRate')
        .map((c) => c[3]),
    ).toEqual(['0']);
    const ports = calls(r.calls, 'add_interface_port')
      .filter((c) => c[1] === 's_axi_control')
      .map((c) => `${c[2]} ${c[3]} ${c[4]} ${c[5]}`);
    expect(ports).toEqual(expect.arrayContaining(['s_axi_control_awprot awprot Input 3', 's_axi_control_arprot arprot Input 3']));
  });

  test('project.tcl writes the project on the part with the pins and runs no tool step itself', () => {
    const r = runTclRecorded(dir, 'project.tcl', projectStubs, ['3'], {}, PACKAGE_SETUP);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const global = Object.fromEntries(calls(r.calls, 'set_global_assignment').map((c) => [flagValue(c, '-name'), c[c.length - 1]]));
    expect(global).toMatchObject({
      FAMILY: 'Cyclone V',
      DEVICE: '5CSEBA6U23I7',
      TOP_LEVEL_ENTITY: 'de10_nano_top',
      NUM_PARALLEL_PROCESSORS: '3',
      SDC_FILE: 'de10_nano.sdc',
    });
    expect(calls(r.calls, 'set_location_assignment')).toEqual([['set_location_assignment', 'PIN_V11', '-to', 'FPGA_CLK1_50']]);
    expect(calls(r.calls, 'project_new')).toEqual([['project_new', 'vta', '-overwrite']]);
    expect(r.calls[r.calls.length - 1][0]).toBe('project_close');
    const text = readFileSync(join(dir, 'project.tcl'), 'utf8');
    expect(text).not.toMatch(/execute_flow|execute_module|pin_assignments/);
  });

  function report(version: string, setupSlack: string) {
    writeSummaries(dir, setupSlack);
    const quartusVersion = `array set quartus {version {${version} Build 625 09/12/2018 SJ Lite Edition}}`;
    return runTclRecorded(dir, 'report.tcl', {}, [], {}, quartusVersion);
  }

  test('report.tcl: slack and utilization into report.json, bare register counts included', () => {
    const r = report('Version 18.1.0', '0.412');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/WARNING/);
    const json = JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8'));
    expect(json).toMatchObject({
      board: 'de10-nano',
      part: '5CSEBA6U23I7',
      tool: 'quartus',
      toolVersion: '18.1',
      requestedMhz: 120,
      setupSlackNs: 0.412,
      holdSlackNs: 0.21,
      timingMet: true,
    });
    expect(json.utilization).toEqual({
      alm: { used: 21345, available: 41910 },
      ff: { used: 40123, available: null },
      blockMemoryBits: { used: 3932160, available: 5662720 },
      dsp: { used: 84, available: 112 },
    });
  });

  test('report.tcl fails on negative slack and warns on an untested Quartus', () => {
    const r = report('Version 23.1.1', '-1.250');
    expect(r.stdout).toMatch(/WARNING: vta fpga: Quartus 23\.1 is not one these scripts were tested with/);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/timing not met at 120 MHz \(setup slack -1\.250 ns/);
    expect(JSON.parse(readFileSync(join(dir, 'output/report.json'), 'utf8')).timingMet).toBe(false);
  });

  test('the top level instantiates soc_system with the exported conduits and the SDC constrains the board clock', () => {
    const top = readFileSync(join(dir, 'de10_nano_top.v'), 'utf8');
    expect(top).toMatch(/soc_system soc \(/);
    expect(top).toMatch(/\.clk_clk\(FPGA_CLK1_50\)/);
    expect(top).toMatch(/\.memory_mem_dq\(HPS_DDR3_DQ\)/);
    expect(readFileSync(join(dir, 'de10_nano.sdc'), 'utf8')).toMatch(/create_clock -name FPGA_CLK1_50 -period 20\.000/);
  });
});
