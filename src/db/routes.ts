/**
 * Admin routes of the database concern (docs/ENDPOINTS.md). Slow-query pages are capped
 * at MAX_PAGE records, and the slow-query answers are serialised once per change of the
 * store (server/cache.ts): records hold statements of up to 2,000 characters, so a full
 * page is megabytes of JSON.
 */
import type { RouteTable } from '../server/router';
import { adminOnly } from '../server/auth';
import { createJsonCache } from '../server/cache';
import { intParam, isReply } from '../server/params';
import type { SlowQueryStore } from './slow-queries';
import type { NPlusOneDetector } from './n-plus-one';

/** Largest ?limit= accepted; larger is a 400, not a silent cut. */
export const MAX_LIMIT = 10_000;
/** Largest slow-query page (?limit=): about 2 MB of JSON with the longest statements. */
export const MAX_PAGE = 1000;

export interface DbRouteSources {
  readonly thresholdMs: number;
  readonly adminToken: string;
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
}

export function dbRoutes(src: DbRouteSources): RouteTable {
  const cache = createJsonCache();
  return {
    '/api/performance/slow-queries': {
      GET: (req) => {
        const limit = intParam(req.query, 'limit', { default: 50, min: 1, max: MAX_PAGE });
        if (isReply(limit)) return limit;
        // Past the records kept, every limit is the same page.
        const page = Math.min(limit, src.slow.size);
        return cache.reply(src.slow.version, `list ${page}`, () => ({ threshold_ms: src.thresholdMs, queries: src.slow.list(page) }));
      },
      DELETE: adminOnly(src.adminToken, () => {
        src.slow.clear();
        return { status: 204 };
      }),
    },
    '/api/performance/slow-queries/stats': {
      GET: () => cache.reply(src.slow.version, 'stats', () => ({ threshold_ms: src.thresholdMs, ...src.slow.stats() })),
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
