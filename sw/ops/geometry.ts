// The shape of a conv2d on packed layouts, shared by the operator and its zero-point planner.

export interface Conv2dGeometry {
  /** Input N, C, H, W (N a multiple of BATCH, C of BLOCK_IN: packed shapes). */
  N: number;
  C: number;
  H: number;
  W: number;
  /** Output channels (a multiple of BLOCK_OUT) and kernel size. */
  O: number;
  KH: number;
  KW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  groups: number;
}

export function outputSize(g: Conv2dGeometry): { OH: number; OW: number } {
  return {
    OH: Math.floor((g.H + g.padTop + g.padBottom - g.KH) / g.strideH) + 1,
    OW: Math.floor((g.W + g.padLeft + g.padRight - g.KW) / g.strideW) + 1,
  };
}
