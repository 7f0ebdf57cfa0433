// The vendor flows by the name a board's record gives (processor.flow).

import type { Board } from '../../hw/boards/boards';
import type { VendorFlow } from './flow';
import { quartusFlow } from './quartus';
import { vivadoFlow } from './vivado';

export const FLOWS: Readonly<Record<Board['processor']['flow'], VendorFlow>> = { vivado: vivadoFlow, quartus: quartusFlow };

/** The flow that builds `board`'s bitstream. */
export function flowOf(board: Board): VendorFlow {
  return FLOWS[board.processor.flow];
}
