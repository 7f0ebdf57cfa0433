// Hostile data files through `vta infer`: IDX headers, gzip bombs, shapes and labels that do not fit the
// model. Each is one line and a non-zero exit, and memory stays at what the header declares.
import { createGzip } from 'zlib';
import { createWriteStream, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { finished } from 'stream/promises';
import { gzipSync } from 'zlib';
import { main } from '../../../cli/dispatch';
import { loadDataSpec, readIdx } from '../../../sw/compiler/data/idx';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
const dir = mkdtempSync(join(tmpdir(), 'vta-data-'));
const mnist = loadDataSpec('mnist');

const header = (dims: number[], type = 0x08) => {
  const b = Buffer.alloc(4 + 4 * dims.length);
  b.writeUInt32BE((type << 8) + dims.length, 0);
  dims.forEach((v, i) => b.writeUInt32BE(v, 4 + 4 * i));
  return b;
};

function write(name: string, bytes: Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

const images = (n: number, dims = [28, 28]) => Buffer.concat([header([n, ...dims]), mnist.pixels.subarray(0, n * 784)]);
const labels = (xs: number[]) => Buffer.concat([header([xs.length]), Buffer.from(xs)]);

async function infer(im: string, lb: string): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['infer', MNIST, '--data', `idx:${im},${lb}`, '--limit', '2'], { stdout: () => {}, stderr: (t) => void (err += t) });
  return { code, err };
}

async function expectRefused(im: string, lb: string, message: RegExp): Promise<void> {
  const r = await infer(im, lb);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/internal error/);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect([1, 2]).toContain(r.code);
}

const goodLabels = () => write('lb-ok', labels([7, 2]));

test('IDX: wrong magic, element type, rank and counts', async () => {
  await expectRefused(
    write('magic', Buffer.concat([Buffer.from([1, 2, 8, 3]), images(2).subarray(4)])),
    goodLabels(),
    /magic.*: not an IDX file \(the magic number must start with two zero bytes\)/,
  );
  await expectRefused(
    write('int8-type', Buffer.concat([header([2, 28, 28], 0x09), mnist.pixels.subarray(0, 2 * 784)])),
    goodLabels(),
    /IDX element type 0x9 is not supported \(only unsigned bytes, 0x08\)/,
  );
  await expectRefused(write('short', images(2).subarray(0, 1000)), goodLabels(), /short: truncated IDX data \(984 bytes, dimensions \[2, 28, 28\] need 1568\)/);
  await expectRefused(write('long', Buffer.concat([images(2), Buffer.alloc(5)])), goodLabels(), /long: 5 bytes after the IDX data/);
  await expectRefused(write('im-ok', images(2)), write('lb3', labels([1, 2, 3])), /lb3: 3 labels for 2 images/);
});

test('images of another shape than the model input, even with the same number of values', async () => {
  const wrongShape = write('14x56', Buffer.concat([header([2, 14, 56]), mnist.pixels.subarray(0, 2 * 784)]));
  await expectRefused(
    wrongShape,
    goodLabels(),
    /--data idx:.*14x56.*: images of \[14, 56\] \(784 values\) do not fit the model's input "input" \[1, 1, 28, 28\]/,
  );
  await expectRefused(write('32x32', images(2, [32, 32]).subarray(0, 4 + 12 + 2 * 784)), goodLabels(), /truncated IDX data|do not fit/);
});

test("labels outside the model's classes", async () => {
  await expectRefused(write('im-ok2', images(2)), write('lb-bad', labels([3, 10])), /lb-bad: label 10 of image 1 is not one of the model's 10 classes/);
});

test('gzip: a bomb stops at the size its header declares; a header that declares too much is refused before inflating', async () => {
  // 2 images declared (1,584 bytes), 64 MiB of zeros behind them, compressed to about 64 KiB
  const bomb = join(dir, 'bomb.gz');
  const gz = createGzip();
  const out = gz.pipe(createWriteStream(bomb));
  gz.write(header([2, 28, 28]));
  const zeros = Buffer.alloc(1 << 20);
  for (let i = 0; i < 64; i++) gz.write(zeros);
  gz.end();
  await finished(out);
  const before = process.memoryUsage().rss;
  expect(() => readIdx(bomb)).toThrow(/bomb\.gz: decompresses to more than 1584 bytes, the size its header declares/);
  expect(process.memoryUsage().rss - before).toBeLessThan(32 << 20);
  await expectRefused(bomb, goodLabels(), /decompresses to more than/);
  const huge = write('huge.gz', gzipSync(header([60000, 4096, 4096])));
  expect(() => readIdx(huge)).toThrow(/huge\.gz: its header declares 1006632960016 bytes, more than the limit of 512 MiB/);
  const garbage = write('garbage.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]));
  expect(() => readIdx(garbage)).toThrow(/garbage\.gz: broken gzip data/);
  const badHeader = write('bad-header.gz', gzipSync(Buffer.from('this is text, not IDX at all')));
  expect(() => readIdx(badHeader)).toThrow(/bad-header\.gz: not an IDX file/);
});
