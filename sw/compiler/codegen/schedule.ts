// Where operator schedules come from: the operator library's planner by default; a tuning database
// (a later issue) implements ScheduleProvider and is consulted first.

import type { VtaConfig } from '../../../hw/vta/config';
import { Conv2dGeometry, Conv2dPlan, planConv2d } from '../../ops/conv2d';

export interface ScheduleProvider {
  /**
   * A tiling for this conv2d (dense runs as a 1x1 conv2d), or undefined to fall back to the planner.
   * `vectors`: per-channel ACC vectors per tile (conv2dVectorCount; a boolean: the bias alone).
   */
  conv2d(cfg: VtaConfig, g: Conv2dGeometry, vectors: boolean | number, name: string): Conv2dPlan | undefined;
}

/** The operator library's cost-model planner. */
export const plannerSchedules: ScheduleProvider = {
  conv2d: (cfg, g, hasBias, name) => planConv2d(cfg, g, hasBias, name),
};

/** Providers tried in order, then the planner. */
export function chainSchedules(...providers: ScheduleProvider[]): ScheduleProvider {
  return {
    conv2d: (cfg, g, hasBias, name) => {
      for (const p of providers) {
        const plan = p.conv2d(cfg, g, hasBias, name);
        if (plan) return plan;
      }
      return planConv2d(cfg, g, hasBias, name);
    },
  };
}
