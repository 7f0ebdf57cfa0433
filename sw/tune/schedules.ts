// The schedule database as the graph compiler's schedule provider: a tuned tiling where the database has
// one for the packed conv2d (dense included) on this hardware, else the planner's.

import type { ScheduleProvider } from '../compiler/codegen/schedule';
import { chainSchedules } from '../compiler/codegen/schedule';
import { ScheduleDb, SHIPPED_DB } from './db';

export function databaseSchedules(db: ScheduleDb): ScheduleProvider {
  return chainSchedules({ conv2d: (cfg, g, hasBias) => db.planFor(cfg, g, hasBias) });
}

/** The shipped database merged with the user's files. */
export function loadSchedules(files: readonly string[] = []): ScheduleProvider {
  return databaseSchedules(ScheduleDb.load([SHIPPED_DB, ...files]));
}
