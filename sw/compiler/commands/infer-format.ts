// `vta infer`'s report as text: top-1 per reference, the agreement, and a per-layer table whose columns say
// what they are (estimated or measured device cycles; host wall-clock milliseconds).

import type { InferReport } from './infer-report';

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(2)}%`);
const secs = (x: number | null) => (x === null ? '- (skipped)' : `${x.toFixed(2)} s`);

export function formatInferReport(r: InferReport): string {
  const estimated = r.cyclesSource === 'estimate';
  const agreement =
    r.agreement !== null
      ? `agreement int8 CPU vs device (identical outputs): ${pct(r.agreement)}`
      : `agreement int8 CPU vs device: - (--skip-int8)${r.floatAgreement !== null ? `; device vs float reference, same top-1: ${pct(r.floatAgreement)}` : ''}`;
  const cyclesHead = estimated ? 'est. cycles' : 'cycles';
  const lines = [
    `images ${r.images} (${r.data}), target ${r.target}, config ${r.config}, ${r.quantization}`,
    r.top1
      ? `top-1: float ${pct(r.top1.float)}${r.top1.tflite === undefined ? '' : `  TFLite int8 (exact) ${pct(r.top1.tflite)}`}  int8 CPU ${pct(r.top1.int8)}  device ${pct(r.top1.device)}`
      : `top-1: - (${r.reconstruction ? 'the model has no classes' : 'no labels and no float reference'})`,
    agreement,
    ...(r.reconstruction ? [`reconstruction (device output vs its input): mean squared error ${r.reconstruction.meanSquaredError.toPrecision(5)}`] : []),
    ...(r.floatMaxError !== null ? [`device vs float reference: largest output error ${r.floatMaxError.toPrecision(4)}`] : []),
    ...(r.exact ? [`device vs the model's exact integer rules: identical outputs ${pct(r.exact.identical)}, same top-1 ${pct(r.exact.top1)}`] : []),
    '',
    `${'layer'.padEnd(24)} ${'op'.padEnd(10)} tgt  ${cyclesHead.padStart(11)} ${'MACs'.padStart(10)} ${'util'.padStart(6)} ${'DRAM B'.padStart(9)} ${'host ms/img'.padStart(11)}`,
  ];
  for (const l of r.layers) {
    const cyc = l.cycles ?? (l.estCycles !== null ? Math.round(l.estCycles) : null);
    const cycText = cyc === null ? '-' : `${cyc}${l.cycles === null ? '~' : ''}`;
    lines.push(
      `${l.node.slice(-24).padEnd(24)} ${l.op.padEnd(10)} ${l.target.padEnd(4)} ${cycText.padStart(11)} ${String(l.macs || '-').padStart(10)} ${(l.utilization === null ? '-' : pct(l.utilization)).padStart(6)} ${String(l.dramBytes ?? '-').padStart(9)} ${(l.seconds * 1e3).toFixed(3).padStart(11)}`,
    );
  }
  lines.push(
    estimated
      ? `  ${cyclesHead} (~): the planner's cost model (${r.target} has no timing model; TSIM measures); host ms/img: wall-clock time of this machine per image (simulation or CPU work), not the accelerator's`
      : `  cycles: measured on ${r.target}; host ms/img: wall-clock time of this machine per image (simulation or CPU work)`,
  );
  lines.push(
    `device cycles/image ${r.cycles === null ? '-' : Math.round(r.cycles)}${estimated ? ' (~ planner estimate)' : ''}, device MACs/image ${r.macs} (${pct(r.deviceMacFraction)} of the model's), utilization ${pct(r.utilization)}`,
  );
  const t = r.time;
  lines.push(
    `host time: device part ${t.deviceSeconds.toFixed(2)} s, CPU part ${t.cpuSeconds.toFixed(2)} s, float reference ${secs(t.floatReferenceSeconds)}, int8 reference ${secs(t.int8ReferenceSeconds)}, compile ${t.compileSeconds.toFixed(2)} s`,
  );
  lines.push(
    `throughput: ${t.imagesPerSecond.toFixed(1)} images/s overall (with the references), ${t.networkImagesPerSecond.toFixed(1)} images/s compiled network (device + CPU part)`,
  );
  return lines.join('\n');
}
