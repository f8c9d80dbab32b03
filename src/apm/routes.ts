/** Admin routes of the APM concern (docs/ENDPOINTS.md). */
import type { RouteTable } from '../server/router';
import type { PrometheusReader } from '../metrics/prometheus';
import { adminOnly } from '../server/auth';
import { isReply, stringParam } from '../server/params';
import { PROMETHEUS_CONTENT_TYPE } from '../server/routes';
import { APM_SCOPE } from './metrics';
import type { ApmStats } from './stats';

export interface ApmRouteSources {
  readonly stats: ApmStats;
  readonly prometheus: PrometheusReader;
  readonly adminToken: string;
}

export function apmRoutes(src: ApmRouteSources): RouteTable {
  return {
    '/api/performance/apm/stats': {
      GET: (req) => {
        const wanted = stringParam(req.query, 'operation', 500);
        if (isReply(wanted)) return wanted;
        const rows = src.stats.all()
          .filter((op) => op.count > 0 && (wanted === undefined || op.operation === wanted))
          .sort((a, b) => b.sumMs - a.sumMs);
        return { status: 200, body: { since: new Date(src.stats.since).toISOString(), operations: rows.map((op) => op.toJson()) } };
      },
    },
    '/api/performance/apm/metrics': {
      GET: async () => ({
        status: 200,
        headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
        body: await src.prometheus.render((scope) => scope.name === APM_SCOPE),
      }),
    },
    '/api/performance/apm': {
      DELETE: adminOnly(src.adminToken, () => {
        src.stats.reset();
        return { status: 204 };
      }),
    },
  };
}
