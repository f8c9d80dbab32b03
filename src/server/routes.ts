/** The admin route table (docs/ENDPOINTS.md), assembled from what the SDK owns. */
import type { Handler, RouteTable } from './router';

export interface RouteSources {
  readonly service: string;
  /** service.version and service.instance.id of the resource. */
  readonly serviceVersion?: string;
  readonly instanceId?: string;
  readonly startedAt: number;
  /** Prometheus text; `apmOnly` keeps only the APM statistics. */
  readonly prometheus: (apmOnly?: boolean) => Promise<string>;
  readonly isDraining: () => boolean;
  /** Further routes contributed by features (APM, slow queries, health, metrics JSON). */
  readonly extra?: RouteTable;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function buildRoutes(src: RouteSources): RouteTable {
  const metricsText: Handler = async () => ({
    status: 200,
    headers: { 'content-type': PROMETHEUS_CONTENT_TYPE },
    body: await src.prometheus(),
  });
  const identity = { service_version: src.serviceVersion ?? null, service_instance_id: src.instanceId ?? null };
  const uptime = () => Math.round((Date.now() - src.startedAt) / 10) / 100;
  return {
    '/metrics': { GET: metricsText },
    '/api/metrics/prometheus': { GET: metricsText },
    '/api/health': { GET: () => ({ status: 200, body: { status: 'ok', service: src.service, uptime_seconds: uptime(), ...identity } }) },
    '/api/health/live': { GET: () => ({ status: 200, body: { status: 'ok', uptime_seconds: uptime() } }) },
    '/api/health/ready': {
      GET: () => (src.isDraining()
        ? { status: 503, body: { status: 'draining', reason: 'shutdown under way' } }
        : { status: 200, body: { status: 'ok' } }),
    },
    ...src.extra,
  };
}
