/** Admin routes of the error store (GET newest first, DELETE admin-only). */
import type { RouteTable } from '../server/router';
import { adminOnly } from '../server/auth';
import { intParam, isReply } from '../server/params';
import type { ErrorStore } from './store';

export const MAX_LIMIT = 1000;

export function errorRoutes(store: ErrorStore, adminToken: string): RouteTable {
  return {
    '/api/performance/errors': {
      GET: (req) => {
        const limit = intParam(req.query, 'limit', { default: 50, min: 1, max: MAX_LIMIT });
        if (isReply(limit)) return limit;
        return { status: 200, body: { errors: store.list(limit) } };
      },
      DELETE: adminOnly(adminToken, () => {
        store.clear();
        return { status: 204 };
      }),
    },
  };
}
