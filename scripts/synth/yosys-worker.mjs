// Runs @yowasp/yosys (WebAssembly) in a worker thread, so that the main thread stays free to print
// progress and to stop the run on Ctrl-C. Plain ESM JavaScript: @yowasp/yosys is an ES module and the
// worker needs no TypeScript loader. Protocol (parent <- worker):
//   { type: 'log', text }                       yosys stdout/stderr, batched
//   { type: 'done', files, version }            the requested output files, as text
//   { type: 'error', message, code, version }   yosys exited non-zero or threw
import { parentPort, workerData } from 'node:worker_threads';
import { runYosys, version } from '@yowasp/yosys';

const { args, files, outputs } = workerData;
const decoder = new TextDecoder();
let pending = '';
let timer = null;
const flush = () => {
  timer = null;
  if (pending) parentPort.postMessage({ type: 'log', text: pending });
  pending = '';
};
const sink = (bytes) => {
  if (!bytes) return;
  const text = decoder.decode(bytes, { stream: true });
  pending += text;
  // yosys runs synchronously, so timers rarely fire: flush on size and at each new pass.
  if (pending.length > 1 << 14 || text.includes('Executing')) flush();
  else if (!timer) timer = setTimeout(flush, 200);
};
const asText = (v) => (typeof v === 'string' ? v : v instanceof Uint8Array ? decoder.decode(v) : null);

try {
  const tree = await runYosys(args, files, { stdout: sink, stderr: sink });
  flush();
  const out = {};
  for (const name of outputs) out[name] = asText(tree?.[name]);
  parentPort.postMessage({ type: 'done', files: out, version });
} catch (e) {
  flush();
  parentPort.postMessage({ type: 'error', message: String(e?.message ?? e), code: e?.code ?? null, version });
}
