// Regression reports: a JSON summary and JUnit XML (one testsuite per configuration).

export interface CaseResult {
  config: string;
  seed: number;
  name: string;
  ok: boolean;
  seconds: number;
  cycles: number | null;
  error?: string;
  mismatchCount: number;
  /** Replayable vector file saved for a failure. */
  vector?: string;
}

export interface RegressReport {
  target: string;
  reference: string;
  configs: string[];
  programs: number;
  seed: number;
  passed: number;
  failed: number;
  seconds: number;
  cases: CaseResult[];
  /** Stopped by Ctrl-C: `cases` holds the programs that finished (of programs x configs). */
  interrupted?: boolean;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(r: RegressReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  lines.push(
    `<testsuites name="vta regress ${xml(r.target)} vs ${xml(r.reference)}" tests="${r.cases.length}" failures="${r.failed}" time="${r.seconds.toFixed(3)}">`,
  );
  for (const config of r.configs) {
    const cases = r.cases.filter((c) => c.config === config);
    const failures = cases.filter((c) => !c.ok).length;
    const time = cases.reduce((t, c) => t + c.seconds, 0);
    lines.push(`  <testsuite name="${xml(config)}" tests="${cases.length}" failures="${failures}" time="${time.toFixed(3)}">`);
    for (const c of cases) {
      lines.push(`    <testcase classname="${xml(config)}" name="${xml(c.name)}" time="${c.seconds.toFixed(3)}">`);
      if (!c.ok) {
        const what = c.error ?? `${c.mismatchCount} DRAM bytes differ`;
        const replay = c.vector ? ` (replay: vta run ${c.vector} --target ${r.target})` : '';
        lines.push(`      <failure message="${xml(what)}">${xml(what + replay)}</failure>`);
      }
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
