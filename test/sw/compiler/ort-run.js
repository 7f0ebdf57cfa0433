// Runs an ONNX model with onnxruntime-node in its own process (jest's sandbox gives the native binding's
// typed arrays another realm) and prints the first output: node ort-run.js MODEL INPUT_JSON.
const ort = require('onnxruntime-node');
const { readFileSync } = require('fs');

(async () => {
  const [model, inputFile] = process.argv.slice(2);
  const { name, shape, batches } = JSON.parse(readFileSync(inputFile, 'utf8'));
  const session = await ort.InferenceSession.create(model);
  const outs = [];
  for (const data of batches) {
    const r = await session.run({ [name]: new ort.Tensor('float32', Float32Array.from(data), shape) });
    outs.push(Array.from(r[session.outputNames[0]].data));
  }
  process.stdout.write(JSON.stringify(outs));
})().catch((e) => {
  process.stderr.write(String(e && e.message) + '\n');
  process.exit(1);
});
