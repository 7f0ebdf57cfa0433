// The one interface of a vendor flow (Vivado for the Zynq boards, Platform Designer + Quartus for the
// Cyclone V SoC): the scripts it writes into the build folder, the build.sh steps that run them, what the
// build leaves, the tool versions the scripts were written against, and the README's board-side steps.
// A board names its flow on its record (processor.flow); bundle.ts, readme.ts and command.ts ask the flow.

import type { Board } from '../../hw/boards/boards';
import type { ShellPlan } from '../../hw/boards/shell';

export interface BundleFile {
  readonly path: string;
  readonly text: string;
  /** Make it executable (build.sh). */
  readonly executable?: boolean;
}

/** What a flow's scripts are made from. */
export interface FlowInput {
  board: Board;
  plan: ShellPlan;
  /** Verilog files of the core and the shell, relative to the folder. */
  hdlFiles: readonly string[];
  generator: string;
  configName: string;
}

export interface VendorFlow {
  readonly name: Board['processor']['flow'];
  /** The tool as build.sh and the README name it. */
  readonly tool: string;
  /** Key of testedToolVersions in manifest.json. */
  readonly toolKey: string;
  /** Tool versions the scripts were written against; another version gets a warning, not a failure. */
  readonly testedVersions: readonly string[];
  /** What build.sh leaves behind. */
  readonly outputs: readonly string[];
  /** The flow's files of the folder. */
  files(input: FlowInput): BundleFile[];
  /** build.sh after the shared head (set -e, cd, jobs, need, mkdir output): check the tools, run the flow. */
  buildSteps(input: FlowInput): string[];
  /** README: one bullet naming the flow's files. */
  readmeFiles(input: FlowInput): string;
  /** README: step 2 on the board (load the bitstream; what else the board needs), as Markdown lines. */
  loadSteps(input: FlowInput): string[];
}
