/** Admin routes of the database concern (docs/ENDPOINTS.md). */
import type { RouteTable } from '../server/router';
import { adminOnly } from '../server/auth';
import { intParam, isReply } from '../server/params';
import type { SlowQueryStore } from './slow-queries';
import type { NPlusOneDetector } from './n-plus-one';

/** Largest ?limit= accepted; larger is a 400, not a silent cut. */
export const MAX_LIMIT = 10_000;

export interface DbRouteSources {
  readonly thresholdMs: number;
  readonly adminToken: string;
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
}

export function dbRoutes(src: DbRouteSources): RouteTable {
  return {
    '/api/performance/slow-queries': {
      GET: (req) => {
        const limit = intParam(req.query, 'limit', { default: 50, min: 1, max: MAX_LIMIT });
        if (isReply(limit)) return limit;
        return { status: 200, body: { threshold_ms: src.thresholdMs, queries: src.slow.list(limit) } };
      },
      DELETE: adminOnly(src.adminToken, () => {
        src.slow.clear();
        return { status: 204 };
      }),
    },
    '/api/performance/slow-queries/stats': {
      GET: () => ({ status: 200, body: { threshold_ms: src.thresholdMs, ...src.slow.stats() } }),
    },
    '/api/performance/n-plus-one': {
      GET: (req) => {
        const limit = intParam(req.query, 'limit', { default: MAX_LIMIT, min: 1, max: MAX_LIMIT });
        if (isReply(limit)) return limit;
        return { status: 200, body: { min_repeats: src.nPlusOne.minRepeats, detections: src.nPlusOne.list(limit) } };
      },
      DELETE: adminOnly(src.adminToken, () => {
        src.nPlusOne.clear();
        return { status: 204 };
      }),
    },
  };
}
