// Runs a generated vendor Tcl script under a real tclsh with every vendor command defined as a recording
// procedure that checks its argument shape (known flags, flag arity, positional count) and returns plausible
// values. Syntax errors, unset variables and malformed calls fail the run; the recorded calls come back
// as arrays of words for the test to check.

import { spawnSync } from 'child_process';
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

/** One vendor command: its flags (name -> number of values) and how many positional words it takes. */
export interface StubSpec {
  flags?: Record<string, number>;
  min?: number;
  max?: number;
  /** Tcl body run after the checks, with `flags` (dict) and `pos` (list) set; its result is returned. */
  body?: string;
}

const PRELUDE = String.raw`
proc json_str {s} { return "\"[string map [list \\ \\\\ \" \\\" \n \\n \t \\t \r \\r] $s]\"" }
proc record {words} {
  set f [open $::env(TCL_RECORD) a]
  set out {}
  foreach w $words { lappend out [json_str $w] }
  puts $f "\[[join $out ,]\]"
  close $f
}
# Checks a call against its spec and splits it into flags and positional words.
proc parse_call {name specflags min max argv} {
  set flags [dict create]
  set pos {}
  for {set i 0} {$i < [llength $argv]} {incr i} {
    set w [lindex $argv $i]
    if {[string index $w 0] eq "-" && ![string is double -strict $w]} {
      if {![dict exists $specflags $w]} { error "$name: unknown option $w (known: [dict keys $specflags])" }
      set n [dict get $specflags $w]
      if {$i + $n >= [llength $argv]} { error "$name: option $w needs $n value(s)" }
      if {$n == 0} { dict set flags $w 1 } else { incr i; dict set flags $w [lindex $argv $i] }
    } else {
      lappend pos $w
    }
  }
  if {[llength $pos] < $min || ($max >= 0 && [llength $pos] > $max)} {
    error "$name: expected $min..[expr {$max < 0 ? "any" : $max}] positional argument(s), got [llength $pos]: $pos"
  }
  return [list $flags $pos]
}
proc stub {name specflags min max body} {
  proc $name {args} [format {
    record [linsert $args 0 %s]
    lassign [parse_call %s {%s} %s %s $args] flags pos
    %s
  } [list $name] [list $name] $specflags $min $max $body]
}
`;

/** Defines `stubs` and runs `script` (a file in `dir`) with `argv`; returns the recorded calls. */
export function runTclRecorded(
  dir: string,
  script: string,
  stubs: Record<string, StubSpec>,
  argv: string[] = [],
  env: Record<string, string> = {},
  setup = '',
): { status: number | null; stdout: string; stderr: string; calls: string[][] } {
  const record = join(dir, '.tcl-record.jsonl');
  writeFileSync(record, '');
  const defs = Object.entries(stubs)
    .map(([name, s]) => {
      const flags = Object.entries(s.flags ?? {})
        .map(([f, n]) => `${f} ${n}`)
        .join(' ');
      return `stub ${name} {${flags}} ${s.min ?? 0} ${s.max ?? s.min ?? 0} {${s.body ?? 'return {}'}}`;
    })
    .join('\n');
  const main = `${PRELUDE}\n${setup}\n${defs}\nset argv [list ${argv.map((a) => `{${a}}`).join(' ')}]\nset argc [llength $argv]\nsource [file join [pwd] ${script}]\n`;
  writeFileSync(join(dir, '.tcl-harness.tcl'), main);
  const r = spawnSync('tclsh', ['.tcl-harness.tcl'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env, TCL_RECORD: record } });
  if (r.error) throw new Error(`tclsh could not run (${r.error.message}); install it with scripts/setup-system.sh (Debian package tcl)`);
  const calls = readFileSync(record, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as string[]);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

/** The value following `flag` in a recorded call, or undefined. */
export function flagValue(call: string[], flag: string): string | undefined {
  const i = call.indexOf(flag);
  return i >= 0 ? call[i + 1] : undefined;
}
