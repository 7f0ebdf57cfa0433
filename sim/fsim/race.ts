// The race detector: finds SRAM accesses from different stages that the dependency tokens do not order.
// Such a program computes different results on different hardware timings; fsim's one schedule hides it.
//
// Happens-before is tracked with vector clocks (one per stage, an entry per stage): an instruction ticks
// its stage's own entry, a push sends a copy of the stage's clock along the queue, and a pop merges the
// clock of the token it takes (tokens are FIFO, so the k-th pop of a queue takes the k-th push). Program
// order orders a stage's own instructions. Per SRAM row of the buffers two stages share (INP and WGT:
// load writes, compute reads; OUT: compute writes, store reads) the detector keeps, for each stage, the
// last instruction that wrote and read it; an access conflicts with another stage's last write (and, if
// it writes, last read) unless that access happened before it.

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import type { AluInsn, GemmInsn, Insn, MemInsn } from '../../hw/vta/isa';
import { MEM_TYPE } from '../../hw/vta/config';
import type { Race, StageName } from '../device';
import { LoopPlan, prepareLoop } from './loop';
import { tokensOf } from './scheduler';
import type { FsimState } from './state';

export type { Race, RaceAccess } from '../device';

export function formatRace(r: Race): string {
  const rows = r.rows > 1 ? ` (and ${r.rows - 1} more row${r.rows > 2 ? 's' : ''})` : '';
  return (
    `race on ${r.memory} row ${r.row}${rows}: ${r.first.stage} instruction ${r.first.index} ${r.first.access}s it ` +
    `(${r.first.insn}) and ${r.second.stage} instruction ${r.second.index} ${r.second.access}s it (${r.second.insn}); ` +
    `no dependency token orders them`
  );
}

const STAGES: readonly StageName[] = ['load', 'compute', 'store'];

type MemName = Race['memory'];

/** Per-row history of one shared buffer: for each stage, the epoch and instruction of the last write/read. */
class RowHistory {
  readonly writeEpoch: Int32Array[];
  readonly writeInsn: Int32Array[];
  readonly readEpoch: Int32Array[];
  readonly readInsn: Int32Array[];
  /** The serial of the access that last touched a row, so an instruction checks each row once. */
  readonly seenRead: Int32Array;
  readonly seenWrite: Int32Array;
  private readonly all: Int32Array;

  clear(): void {
    this.all.fill(0);
  }

  constructor(
    readonly name: MemName,
    readonly depth: number,
  ) {
    // One allocation, cut into 14 views: a run pays for 3 buffers, not 42.
    const all = (this.all = new Int32Array(14 * depth));
    let next = 0;
    const view = () => all.subarray(depth * next, depth * ++next);
    const make = () => STAGES.map(view);
    this.writeEpoch = make();
    this.writeInsn = make();
    this.readEpoch = make();
    this.readInsn = make();
    this.seenRead = view();
    this.seenWrite = view();
  }
}

export class RaceDetector {
  private readonly clocks = STAGES.map(() => new Int32Array(3));
  private queues: Int32Array[][] = [[], [], [], []];
  private heads = [0, 0, 0, 0];
  private readonly inp: RowHistory;
  private readonly wgt: RowHistory;
  private readonly out: RowHistory;
  /** Races by (memory, first, second) instruction pair. */
  private readonly found = new Map<string, Race>();
  private serial = 0;
  private stage = 0;
  private index = 0;
  private insn: Insn | null = null;

  constructor(
    private readonly cfg: VtaConfig,
    private insnText: (index: number) => string = () => '',
  ) {
    const t = cfg.tensor;
    this.inp = new RowHistory('INP', t.inp.depth);
    this.wgt = new RowHistory('WGT', t.wgt.depth);
    this.out = new RowHistory('OUT', t.out.depth);
  }

  /**
   * Forgets everything for a new run (a device keeps one detector: fresh memory is slow to touch, and
   * clearing what a previous run touched is cheap).
   */
  reset(insnText: (index: number) => string): this {
    for (const c of this.clocks) c.fill(0);
    this.queues = [[], [], [], []];
    this.heads = [0, 0, 0, 0];
    this.found.clear();
    this.inp.clear();
    this.wgt.clear();
    this.out.clear();
    this.serial = 0;
    this.insnText = insnText;
    return this;
  }

  /** Before instruction `index` of `stage` starts: take the clocks of the tokens it pops, tick. */
  begin(stage: StageName, index: number, insn: Insn): void {
    const s = STAGES.indexOf(stage);
    const clock = this.clocks[s];
    for (const q of tokensOf(insn, stage).pops) {
      const token = this.queues[q][this.heads[q]++];
      if (token) for (let k = 0; k < 3; k++) if (token[k] > clock[k]) clock[k] = token[k];
    }
    clock[s]++;
    this.stage = s;
    this.index = index;
    this.insn = insn;
    this.serial++;
  }

  /** After it completes: send a copy of the stage's clock with every token it pushes. */
  end(insn: Insn): void {
    const s = this.stage;
    for (const q of tokensOf(insn, STAGES[s]).pushes) this.queues[q].push(Int32Array.from(this.clocks[s]));
  }

  /** Records the SRAM rows `insn` touched; call after it executed (its indices are then known good). */
  record(st: FsimState, insn: Insn): void {
    if (insn.op === 'LOAD' || insn.op === 'STORE') {
      const m = insn as MemInsn;
      if (m.xSize === 0) return;
      const count = insn.op === 'STORE' ? m.ySize * m.xSize : (m.xPad0 + m.xSize + m.xPad1) * (m.yPad0 + m.ySize + m.yPad1);
      this.memRange(m, count);
    } else if (insn.op === 'GEMM' || insn.op === 'ALU') {
      const plan = prepareLoop(st, insn as GemmInsn | AluInsn);
      if (plan) this.loop(insn as GemmInsn | AluInsn, plan);
    }
  }

  /** Rows [base, base + count) of a buffer, modulo its depth (LOAD INP/WGT writes, STORE reads). */
  memRange(insn: MemInsn, count: number): void {
    const h = insn.op === 'STORE' ? this.out : insn.memType === MEM_TYPE.INP ? this.inp : insn.memType === MEM_TYPE.WGT ? this.wgt : null;
    if (!h) return;
    const write = insn.op === 'LOAD';
    const n = Math.min(count, h.depth);
    for (let k = 0; k < n; k++) this.touch(h, (insn.sramBase + k) & (h.depth - 1), write);
  }

  /** The rows a GEMM or ALU loop nest touches: OUT written at dst; GEMM also reads INP at src, WGT at wgt. */
  loop(insn: GemmInsn | AluInsn, plan: LoopPlan): void {
    const { n, iterOut, iterIn } = plan;
    const reads = insn.op === 'GEMM' && !insn.resetReg;
    for (let o = 0; o < iterOut; o++) {
      for (let i = 0; i < iterIn; i++) {
        const dOff = o * plan.dstFactorOut + i * plan.dstFactorIn;
        const sOff = o * plan.srcFactorOut + i * plan.srcFactorIn;
        const wOff = o * plan.wgtFactorOut + i * plan.wgtFactorIn;
        for (let u = 0; u < n; u++) {
          this.touch(this.out, (plan.dst[u] + dOff) & plan.dstMask, true);
          if (reads) {
            this.touch(this.inp, (plan.src[u] + sOff) & plan.srcMask, false);
            this.touch(this.wgt, (plan.wgt[u] + wOff) & plan.wgtMask, false);
          }
        }
      }
    }
  }

  private touch(h: RowHistory, row: number, write: boolean): void {
    const seen = write ? h.seenWrite : h.seenRead;
    if (seen[row] === this.serial) return;
    seen[row] = this.serial;
    const s = this.stage;
    const clock = this.clocks[s];
    for (let t = 0; t < 3; t++) {
      if (t === s) continue;
      const w = h.writeEpoch[t][row];
      if (w > clock[t]) this.report(h, row, t, h.writeInsn[t][row], 'write', write);
      if (write) {
        const r = h.readEpoch[t][row];
        if (r > clock[t]) this.report(h, row, t, h.readInsn[t][row], 'read', write);
      }
    }
    if (write) {
      h.writeEpoch[s][row] = clock[s];
      h.writeInsn[s][row] = this.index;
    } else {
      h.readEpoch[s][row] = clock[s];
      h.readInsn[s][row] = this.index;
    }
  }

  private report(h: RowHistory, row: number, otherStage: number, otherIndex: number, otherAccess: 'read' | 'write', write: boolean): void {
    const key = `${h.name}/${otherIndex}/${otherAccess}/${this.index}/${write}`;
    const have = this.found.get(key);
    if (have) {
      have.rows++;
      return;
    }
    this.found.set(key, {
      memory: h.name,
      row,
      rows: 1,
      first: { index: otherIndex, stage: STAGES[otherStage], access: otherAccess, insn: this.insnText(otherIndex) },
      second: {
        index: this.index,
        stage: STAGES[this.stage],
        access: write ? 'write' : 'read',
        insn: this.insn ? formatInsn(this.cfg, this.insn) : '',
      },
    });
  }

  /** Every race found, ordered by the later instruction, then the earlier. */
  races(): Race[] {
    return [...this.found.values()].sort((a, b) => a.second.index - b.second.index || a.first.index - b.first.index);
  }
}
