// The task handler of `vta infer --jobs N` (run by exec/'s forked workers): a range of images of the
// command line it is given, tallied. The model is compiled once per worker process and kept for its next ranges.

import { parseInferArgs, PreparedInference, prepareInference } from './infer';
import { InferTask, Tally, tallyImages } from './infer-run';

let prepared: { key: string; prep: PreparedInference } | undefined;

export async function runTask(t: InferTask): Promise<Tally> {
  const key = JSON.stringify(t.argv);
  if (prepared?.key !== key) {
    prepared?.prep.compiled.close();
    const args = parseInferArgs(t.argv);
    prepared = { key, prep: await prepareInference(args, () => undefined) };
  }
  return tallyImages(prepared.prep.compiled, prepared.prep, t.start, t.end);
}

/** Closes the device (the executor calls it when the worker ends). */
export function dispose(): void {
  prepared?.prep.compiled.close();
  prepared = undefined;
}
