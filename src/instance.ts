/**
 * One running otelkit: the SDK, the features (logging, slow queries, APM, metrics, health,
 * mounted routes), the admin servers and the shutdown hooks. Loaded by start() only when
 * otelkit really starts, so that `require('otelkit')` for its API never loads the SDK.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import { startSdk } from './sdk';
import { loadExtensions, mergeAdditions } from './extensions';
import { installLifecycle, bounded, type Lifecycle } from './lifecycle';
import { startAdminServer, type AdminServer } from './server/admin';
import { createRouter } from './server/router';
import { buildRoutes } from './server/routes';
import type { RouteTable } from './server/router';
import { createMetricsFeature, type MetricsFeature } from './metrics/feature';
import { createHealthFeature } from './health/feature';
import { createMountFeature } from './server/mount';
import type { Feature, Running } from './feature';
import type { ResponseInfo } from './requests/http-server';
import { guard } from './guard';
import { createDbFeature, type DbFeature } from './db';
import { createApmFeature, type ApmFeature } from './apm';
import { createErrorsFeature, type ErrorsFeature } from './errors';
import { createStatusPageFeature } from './server/status-page';
import { createCluster } from './cluster';
import { processCheck } from './health/builtin';
import { isClusterWorker } from './process-role';
import { createLogging } from './logging';
import { logRecord } from './logging/shared';
import { currentInstance, type Otelkit, type StartOptions } from './start';

/** When the self-report is written, after start. */
const REPORT_AFTER_MS = 1000;

export function createInstance(config: Config, app: AppInfo, options: StartOptions): Otelkit {
  const startedAt = Date.now();
  let draining = false;
  const named = createFeatures(config);
  const features = named.all;
  const sdk = startSdk(config, app, {
    spanProcessors: features.flatMap((f) => f.spanProcessors ?? []),
    onResponse: combineResponseHooks(features),
    additions: mergeAdditions([options, loadExtensions(config.extensions, app.dir)]),
  });
  const service = String(sdk.service);
  const running: Running = {
    config, app, service, startedAt,
    tracer: sdk.tracer,
    meter: sdk.meter,
    prometheus: sdk.prometheus,
    sendsLogs: sdk.sendsLogs,
    isDraining: () => draining,
  };
  const extra: RouteTable = Object.assign({}, ...features.map((f) => f.bind?.(running) ?? {}));
  const routes = buildRoutes({
    service,
    serviceVersion: stringAttribute(sdk.resource.attributes['service.version']),
    instanceId: stringAttribute(sdk.resource.attributes['service.instance.id']),
    startedAt,
    isDraining: () => draining,
    prometheus: (apmOnly) => sdk.prometheus.render(apmOnly ? (scope) => scope.name === 'otelkit.apm' : undefined),
    extra,
  });
  // Under Node's cluster or PM2, the process holding the admin port answers for all (src/cluster).
  const cluster = createCluster({
    config, app, service, startedAt,
    resource: sdk.resource,
    prometheus: sdk.prometheus,
    apm: named.apm.stats,
    slow: named.db.slow,
    nPlusOne: named.db.nPlusOne,
    errors: named.errors.store,
    readings: named.metrics.readings,
    processFigures: async () => ({ ...((await processCheck(named.metrics.readings).run()) as Record<string, unknown>), uptime_seconds: Math.round(process.uptime() * 100) / 100 }),
    local: createRouter(routes),
    healthDetailed: routes['/api/health/detailed']?.GET,
  });
  const router = cluster.router;
  const worker = isClusterWorker();
  const admin = startAdminServer(config.adminHost, config.adminPort, router, undefined, { exclusive: worker, quietInUse: worker, deferred: true });
  const servers: AdminServer[] = [admin];
  const prometheusServer = () =>
    startAdminServer(config.prometheusHost, config.prometheusPort, createRouter({ '/metrics': { GET: (req) => router.dispatch(req) } }), 'the separate Prometheus endpoint');
  // The separate Prometheus endpoint listens after the admin server's first attempt (which
  // has the port when both share it); in a worker, only once this process leads.
  let promStarted = false;
  const startPrometheus = () => {
    if (promStarted || !needsPrometheusServer(config)) return;
    promStarted = true;
    servers.push(prometheusServer());
  };
  if (!worker) void admin.ready.then(startPrometheus);
  cluster.seat(admin, () => {
    if (worker) startPrometheus();
  });
  // The self-report, once the app has loaded what it loads at start: the instrumentations
  // built so far, and how many wait for a module the app has not loaded.
  setTimeout(() => {
    const active = sdk.instrumentations.active();
    const waiting = sdk.instrumentations.waiting();
    logRecord('info', `instrumentations active: ${active.join(', ') || 'none'}; ${waiting} more enabled, built when the app loads their module`, {
      component: 'otelkit',
      instrumentations: active,
      waiting,
    });
  }, REPORT_AFTER_MS).unref();

  let lifecycle: Lifecycle | undefined;
  let stopped: Promise<void> | undefined;
  const instance: Otelkit = {
    config,
    app,
    sdk,
    adminPort: servers[0].ready,
    router,
    isDraining: () => draining,
    shutdown() {
      stopped ??= (async () => {
        draining = true;
        lifecycle?.uninstall();
        await bounded(() => cluster.shutdown(), config.shutdownTimeoutMs, 'handing over to the other processes');
        await bounded(async () => {
          await sdk.shutdown();
          await Promise.allSettled(features.map((f) => f.shutdown?.()));
        }, config.shutdownTimeoutMs, 'telemetry shutdown');
        await Promise.all(servers.map((s) => s.close()));
      })();
      return stopped;
    },
  };
  if (options.handleSignals !== false) {
    lifecycle = installLifecycle({
      timeoutMs: config.shutdownTimeoutMs,
      flush: () => sdk.forceFlush(),
      shutdown: () => instance.shutdown(),
      onDrain: () => {
        draining = true;
      },
    });
  }
  return instance;
}

/**
 * The admin server serves /metrics too; a second server is needed only on another port,
 * or on the same port and another host that a wildcard admin host does not cover (one
 * server on 0.0.0.0:9464 already answers localhost:9464, and binding both fails).
 */
function needsPrometheusServer(config: Config): boolean {
  if (config.adminPort !== config.prometheusPort) return true;
  return config.adminHost !== config.prometheusHost && !['0.0.0.0', '::', '[::]'].includes(config.adminHost);
}

/**
 * The concerns otelkit is made of, in span-processor order: statements are made safe and
 * slow queries recorded before APM statistics, and both before any exporter.
 */
function createFeatures(config: Config): { all: Feature[]; db: DbFeature; apm: ApmFeature; errors: ErrorsFeature; metrics: MetricsFeature } {
  const metrics = createMetricsFeature(config);
  const db = createDbFeature(config);
  const apm = createApmFeature(config);
  const errors = createErrorsFeature(config);
  return {
    db,
    apm,
    errors,
    metrics,
    all: [
      createLogging(config),
      db,
      apm,
      errors,
      metrics,
      createHealthFeature(config, metrics.readings),
      createMountFeature(config, () => currentInstance()?.router),
      createStatusPageFeature(),
    ],
  };
}

function combineResponseHooks(features: readonly Feature[]): ((info: ResponseInfo, req: IncomingMessage) => void) | undefined {
  const hooks = features.flatMap((f) => (f.onResponse ? [guard('onResponse', f.onResponse)] : []));
  if (hooks.length === 0) return undefined;
  if (hooks.length === 1) return hooks[0];
  return (info, req) => {
    for (const hook of hooks) hook(info, req);
  };
}

function stringAttribute(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
