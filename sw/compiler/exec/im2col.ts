// im2col of an int8 NCHW tensor: output channel (c*KH + ky)*KW + kx at (oy, ox) holds x[c, oy*sh - pt + ky,
// ox*sw - pl + kx], and the zero point where that falls in the padding (so that x - z is 0 there, as a
// convolution's padding contributes nothing). A convolution over few channels then runs as a 1x1 convolution
// over C*KH*KW channels (lower-gemm.ts): a few GEMM blocks per output instead of KH*KW mostly empty ones.

export interface Im2colParams {
  kernel: number[];
  strides: number[];
  pads: number[];
}

export function im2col(x: ArrayLike<number>, [N, C, H, W]: number[], p: Im2colParams, OH: number, OW: number, zeroPoint: number): Int8Array {
  const [KH, KW] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, , pl] = p.pads;
  const K = C * KH * KW;
  const out = new Int8Array(N * K * OH * OW).fill(zeroPoint);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          const plane = (n * K + (c * KH + ky) * KW + kx) * OH * OW;
          for (let oy = 0; oy < OH; oy++) {
            const y = oy * sh - pt + ky;
            if (y < 0 || y >= H) continue;
            for (let ox = 0; ox < OW; ox++) {
              const xx = ox * sw - pl + kx;
              if (xx >= 0 && xx < W) out[plane + oy * OW + ox] = x[((n * C + c) * H + y) * W + xx];
            }
          }
        }
      }
    }
  }
  return out;
}
