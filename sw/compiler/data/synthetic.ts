// Deterministic synthetic RGB images with CIFAR-10's statistics, for models whose data set is not available
// offline (the MLPerf Tiny ResNet-8). White noise is a poor stand-in: natural images have a power spectrum
// falling roughly as 1/f^2, sharp occluding edges and strongly correlated colour channels, and a CNN fed
// noise sees activations it never met in training. The "dead leaves" model (random opaque disks with a
// power-law size distribution, stacked until the canvas is covered) is the classic generative model that
// reproduces those properties; each disk gets a colour near a per-image palette, plus a smooth 1/f shading
// field. The result is scaled to CIFAR-10's per-channel training-set mean (125.3, 123.0, 113.9) and standard
// deviation (63.0, 62.1, 66.7), clipped to 0..255 and rounded like real 8-bit pixels.

import { mulberry32 } from '../../../sim/testing/prng';

export const CIFAR10_MEAN = [125.3, 123.0, 113.9];
export const CIFAR10_STD = [63.0, 62.1, 66.7];

/** A smooth random field of H x W values with a 1/f spectrum, zero mean and unit variance. */
export function field(H: number, W: number, rnd: () => number): Float64Array {
  const f = new Float64Array(H * W);
  const maxF = Math.floor(Math.min(H, W) / 4);
  const nx = maxF + 1;
  // the random phase and amplitude of each (fx, fy), drawn in a fixed order
  const phase = new Float64Array(nx * (2 * maxF + 1));
  const amp = new Float64Array(nx * (2 * maxF + 1));
  for (let fy = -maxF; fy <= maxF; fy++) {
    for (let fx = 0; fx <= maxF; fx++) {
      if (fx === 0 && fy <= 0) continue; // one of each +-f pair, no DC
      const k = (fy + maxF) * nx + fx;
      phase[k] = 2 * Math.PI * rnd();
      amp[k] = (1 / Math.hypot(fx, fy)) * (0.5 + rnd()); // random amplitude around the 1/f envelope
    }
  }
  // cos(u + v) = cos u cos v - sin u sin v with u the x term: per fx, the sums over fy of the y terms first,
  // then one pass over the image (O(F^2 H + F H W) instead of a cosine per frequency and pixel)
  const colC = new Float64Array(H);
  const colS = new Float64Array(H);
  for (let fx = 0; fx <= maxF; fx++) {
    colC.fill(0);
    colS.fill(0);
    for (let fy = -maxF; fy <= maxF; fy++) {
      const k = (fy + maxF) * nx + fx;
      if (amp[k] === 0) continue;
      for (let y = 0; y < H; y++) {
        const v = (2 * Math.PI * (fy * y)) / H + phase[k];
        colC[y] += amp[k] * Math.cos(v);
        colS[y] += amp[k] * Math.sin(v);
      }
    }
    for (let x = 0; x < W; x++) {
      const u = (2 * Math.PI * (fx * x)) / W;
      const cu = Math.cos(u);
      const su = Math.sin(u);
      for (let y = 0; y < H; y++) f[y * W + x] += cu * colC[y] - su * colS[y];
    }
  }
  // normalise to zero mean, unit variance
  let m = 0;
  for (const v of f) m += v;
  m /= f.length;
  let s = 0;
  for (const v of f) s += (v - m) ** 2;
  s = Math.sqrt(s / f.length) || 1;
  for (let i = 0; i < f.length; i++) f[i] = (f[i] - m) / s;
  return f;
}

/**
 * Image `index` of the synthetic set: NCHW [1, 3, H, W] pixel values 0..255 (integers, as float32). The same
 * (index, seed) always gives the same image.
 */
export function syntheticImage(index: number, H = 32, W = 32, seed = 1): Float32Array {
  const rnd = mulberry32(seed * 100003 + index + 1);
  const img = [new Float64Array(H * W), new Float64Array(H * W), new Float64Array(H * W)];
  const covered = new Uint8Array(H * W);
  let left = H * W;
  // a palette of two base colours per image (object / background-like), disks vary around them
  const base = [0, 1].map(() => [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 2 - 1]);
  // front to back: a pixel keeps the first (front-most) disk that covers it
  for (let k = 0; k < 4000 && left > 0; k++) {
    const rMin = 1;
    const rMax = Math.max(H, W) / 2;
    // radius density ~ 1/r^3 (scale invariance), by inverse transform sampling
    const u = rnd();
    const r = 1 / Math.sqrt(1 / rMin ** 2 - u * (1 / rMin ** 2 - 1 / rMax ** 2));
    const cx = rnd() * W;
    const cy = rnd() * H;
    const b = base[rnd() < 0.5 ? 0 : 1];
    const col = b.map((v) => v + 0.6 * (rnd() * 2 - 1));
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(H, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(W, Math.ceil(cx + r)); x++) {
        const i = y * W + x;
        if (covered[i] || (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > r * r) continue;
        covered[i] = 1;
        left--;
        for (let c = 0; c < 3; c++) img[c][i] = col[c];
      }
    }
  }
  const shade = field(H, W, rnd);
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++) {
    const v = img[c];
    for (let i = 0; i < H * W; i++) v[i] += 0.35 * shade[i];
    let m = 0;
    for (const a of v) m += a;
    m /= v.length;
    let sd = 0;
    for (const a of v) sd += (a - m) ** 2;
    sd = Math.sqrt(sd / v.length) || 1;
    for (let i = 0; i < H * W; i++) out[c * H * W + i] = Math.min(255, Math.max(0, Math.round(CIFAR10_MEAN[c] + (CIFAR10_STD[c] * (v[i] - m)) / sd)));
  }
  return out;
}
