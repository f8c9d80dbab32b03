/**
 * The service's answers: the ordinary route handlers (src/apm, src/db, src/metrics,
 * src/health) run on stores merged from every process's snapshot, and each JSON answer
 * says which processes answered (`cluster`).
 */
import type { Resource } from '@opentelemetry/resources';
import type { Config } from '../config';
import { ApmStats } from '../apm/stats';
import { apmRoutes } from '../apm/routes';
import { APM_SCOPE } from '../apm/metrics';
import { dbRoutes, MAX_LIMIT } from '../db/routes';
import { NPlusOneDetector } from '../db/n-plus-one';
import { SlowQueryStore } from '../db/slow-queries';
import { requestStatsOf } from '../metrics/app-stats';
import { metricsJsonHandler, type MetricsJsonSources } from '../metrics/json';
import type { PrometheusReader } from '../metrics/prometheus';
import { intParam, isReply } from '../server/params';
import { PROMETHEUS_CONTENT_TYPE } from '../server/routes';
import type { Handler, ParsedRequest, Reply } from '../server/router';
import { mergeMetrics, type MetricsSource } from './metrics-merge';
import { mergeErrors } from './errors-merge';
import { MAX_LIMIT as MAX_ERRORS_LIMIT } from '../errors/routes';
import { wireToScopeMetrics } from './metrics-wire';
import type { ServiceMeter } from './service-meter';
import type { Answer, Gathered } from './leader';
import type { Limits } from './fold';
import type { SnapshotRequest } from './snapshot';

/** Every process's snapshot: this one's first among `answered`. */
export type Service = Gathered;

export interface ViewContext {
  readonly config: Config;
  readonly limits: Limits;
  readonly startedAt: number;
  readonly prometheus: PrometheusReader;
  /** The resource without what differs per process (process.pid, service.instance.id). */
  readonly resource: Resource;
  readonly readings: MetricsJsonSources['readings'];
  readonly meter: ServiceMeter;
  /** This process's own detailed health. */
  readonly healthDetailed: Handler | undefined;
  gather(request: SnapshotRequest): Promise<Service>;
}

export type View = (req: ParsedRequest, ctx: ViewContext) => Promise<Reply>;

const withCluster = (reply: Reply, s: Service): Reply =>
  reply.body !== null && typeof reply.body === 'object' ? { ...reply, body: { ...(reply.body as object), cluster: clusterField(s) } } : reply;

export function clusterField(s: Service): object {
  return {
    processes: s.answered.length + s.missing.length,
    answered: s.answered.length,
    missing: s.missing.map((a) => ({ pid: a.identity.pid, service_instance_id: a.identity.instance_id })),
    departed_processes: s.departedCount,
  };
}

function metricsSources(s: Service): MetricsSource[] {
  return [
    ...s.answered.map((a) => ({ scopes: a.snapshot.metrics ?? [], live: true, pid: a.identity.pid })),
    ...s.missing.map((a) => ({ scopes: a.snapshot.metrics ?? [], live: false })),
    { scopes: s.departed.metrics ?? [], live: false },
  ];
}

const every = (s: Service): Answer[] => [...s.answered, ...s.missing, { identity: { pid: 0, instance_id: '' }, snapshot: s.departed }];

async function prometheusText(ctx: ViewContext, apmOnly: boolean): Promise<Reply> {
  const s = await ctx.gather({ parts: apmOnly ? ['apm'] : ['metrics', 'apm'] });
  const apm = ApmStats.merged(ctx.limits.apmMaxOperations, every(s).flatMap((a) => (a.snapshot.apm ? [a.snapshot.apm] : [])));
  const own = await ctx.meter.scopes(apm, { answered: s.answered.length, missing: s.missing.length, departed: s.departedCount });
  const merged = apmOnly ? [] : wireToScopeMetrics(mergeMetrics(metricsSources(s)));
  const text = ctx.prometheus.toText({ resource: ctx.resource, scopeMetrics: [...merged, ...own] }, apmOnly ? (scope) => scope.name === APM_SCOPE : undefined);
  return { status: 200, headers: { 'content-type': PROMETHEUS_CONTENT_TYPE }, body: text };
}

function processList(s: Service): object[] {
  return [
    ...s.answered.map((a, i) => ({ ...a.snapshot.process, pid: a.identity.pid, service_instance_id: a.identity.instance_id, role: i === 0 ? 'leader' : 'follower', answered: true })),
    ...s.missing.map((a) => ({ pid: a.identity.pid, service_instance_id: a.identity.instance_id, role: 'follower', answered: false })),
  ];
}

export const VIEWS: Readonly<Record<string, View>> = {
  '/metrics': (_req, ctx) => prometheusText(ctx, false),
  '/api/metrics/prometheus': (_req, ctx) => prometheusText(ctx, false),
  '/api/performance/apm/metrics': (_req, ctx) => prometheusText(ctx, true),
  '/api/metrics': async (req, ctx) => {
    const s = await ctx.gather({ parts: ['metrics', 'process'] });
    const stats = requestStatsOf({ scopeMetrics: wireToScopeMetrics(mergeMetrics(metricsSources(s))) });
    const reply = await metricsJsonHandler({ startedAt: ctx.startedAt, readings: ctx.readings, requests: async () => stats })(req);
    const body = reply.body as Record<string, unknown>;
    return withCluster({ ...reply, body: { ...body, processes: processList(s) } }, s);
  },
  '/api/performance/apm/stats': async (req, ctx) => {
    const s = await ctx.gather({ parts: ['apm'] });
    const stats = ApmStats.merged(ctx.limits.apmMaxOperations, every(s).flatMap((a) => (a.snapshot.apm ? [a.snapshot.apm] : [])));
    const handler = apmRoutes({ stats, prometheus: ctx.prometheus, adminToken: ctx.config.adminToken })['/api/performance/apm/stats'].GET!;
    return withCluster(await handler(req), s);
  },
  '/api/performance/slow-queries': async (req, ctx) => {
    const limit = intParam(req.query, 'limit', { default: 50, min: 1, max: MAX_LIMIT });
    if (isReply(limit)) return limit;
    const s = await ctx.gather({ parts: ['slow_records'], records: limit });
    const slow = SlowQueryStore.merged(limit, every(s).flatMap((a) => (a.snapshot.slow_records ? [a.snapshot.slow_records] : [])));
    return withCluster(await dbHandler(ctx, slow, undefined, '/api/performance/slow-queries')(req), s);
  },
  '/api/performance/slow-queries/stats': async (req, ctx) => {
    const s = await ctx.gather({ parts: ['slow_shapes'] });
    const slow = SlowQueryStore.merged(ctx.limits.slowQueryLimit, every(s).flatMap((a) => (a.snapshot.slow_shapes ? [a.snapshot.slow_shapes] : [])));
    return withCluster(await dbHandler(ctx, slow, undefined, '/api/performance/slow-queries/stats')(req), s);
  },
  '/api/performance/n-plus-one': async (req, ctx) => {
    const s = await ctx.gather({ parts: ['n_plus_one'] });
    const detections = NPlusOneDetector.merged(ctx.limits.nPlusOneMin, every(s).flatMap((a) => (a.snapshot.n_plus_one ? [a.snapshot.n_plus_one] : [])));
    return withCluster(await dbHandler(ctx, undefined, detections, '/api/performance/n-plus-one')(req), s);
  },
  '/api/performance/errors': async (req, ctx) => {
    const limit = intParam(req.query, 'limit', { default: 50, min: 1, max: MAX_ERRORS_LIMIT });
    if (isReply(limit)) return limit;
    const s = await ctx.gather({ parts: ['errors'] });
    const errors = mergeErrors(every(s).flatMap((a) => (a.snapshot.errors ? [a.snapshot.errors] : [])));
    return withCluster({ status: 200, body: { errors: errors.slice(0, limit) } }, s);
  },
  '/api/health/detailed': async (req, ctx) => {
    if (ctx.healthDetailed === undefined) return { status: 404, body: { error: 'not_found', message: 'no detailed health' } };
    const [reply, s] = await Promise.all([ctx.healthDetailed(req), ctx.gather({ parts: ['process'] })]);
    return withCluster({ ...reply, body: { ...(reply.body as object), processes: processList(s) } }, s);
  },
};

function dbHandler(ctx: ViewContext, slow: SlowQueryStore | undefined, nPlusOne: NPlusOneDetector | undefined, path: string): Handler {
  const routes = dbRoutes({
    thresholdMs: ctx.config.slowQueryMs,
    adminToken: ctx.config.adminToken,
    slow: slow ?? new SlowQueryStore(1),
    nPlusOne: nPlusOne ?? new NPlusOneDetector({ minRepeats: ctx.limits.nPlusOneMin }),
  });
  return routes[path].GET!;
}
