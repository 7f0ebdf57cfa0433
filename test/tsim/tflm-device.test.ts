// Issue 19's check on the cycle-accurate core: the Pynq-Z1 preset (with the requantization stage) built by
// Verilator runs each MLPerf Tiny int8 model on its TFLite Micro fixture inputs, and `--save-outputs` gives
// TFLM's outputs on every one (the fsim run of the same is in test/sw/compiler/tflm-fixtures.test.ts).
import { inferFixture, loadTflmFixture } from '../sw/compiler/tflm-fixture';

jest.setTimeout(300_000);

test.each(['mlperf-tiny-ad', 'mlperf-tiny-resnet8', 'mlperf-tiny-vww', 'ops-edges'])(
  '%s on TSIM, Pynq-Z1 preset: the device gives TFLM’s outputs',
  async (fixture) => {
    const r = await inferFixture(fixture, 'tsim');
    expect(r.rows).toBe(loadTflmFixture(fixture).inputs.shape[0]);
    expect(r).toMatchObject({ identicalRows: r.rows, exact: 1 });
    // ResNet-8's residual ADDs and ops-edges' ADD of two scales run exactly on the device (sw/ops/add-q31.ts)
    expect(r.addTargets).toEqual({ 'mlperf-tiny-resnet8': ['vta', 'vta', 'vta'], 'ops-edges': ['vta'] }[fixture] ?? []);
    // on the CPU only the input's quantization (with the first conv's im2col beside it) and the final softmax;
    // ops-edges' grouped conv and SAME pools run on the device
    expect(r.cpuNodes.filter((n) => !/^quantize_input|:im2col$|^softmax/.test(n))).toEqual([]);
  },
);
