/**
 * start() and shutdown(): the programmatic entry, and what the preload calls. One
 * otelkit per process — a second start() (preload plus an explicit call) returns the
 * running instance with one warning, and never doubles spans.
 */
import { loadConfig, type Config, type Env } from './config';
import { readAppInfo, type AppInfo } from './app-info';
import { componentLogger, setupDiag } from './diag';
import { startSdk, type Additions, type Sdk } from './sdk';
import { loadExtensions, mergeAdditions } from './extensions';
import { checkApi } from './api-version';
import { installLifecycle, bounded, type Lifecycle } from './lifecycle';
import { startAdminServer, type AdminServer } from './server/admin';
import { createRouter } from './server/router';
import { buildRoutes } from './server/routes';
import type { RouteTable, Router } from './server/router';
import { createMetricsFeature } from './metrics/feature';
import { createHealthFeature } from './health/feature';
import { createMountFeature } from './server/mount';
import type { Feature, Running } from './feature';
import type { ResponseInfo } from './requests/http-server';
import type { IncomingMessage } from 'node:http';
import { guard } from './guard';
import { createDbFeature } from './db';
import { createApmFeature } from './apm';
import { createErrorsFeature } from './errors';
import { createStatusPageFeature } from './server/status-page';
import { createLogging } from './logging';
import { sharedLogger } from './logging/shared';

const log = componentLogger('otelkit');
const kInstance = Symbol.for('otelkit.instance');

/**
 * Options of start(). Beside otelkit's own, the additions NodeSDK takes, in its shapes:
 * instrumentations, span processors (run after otelkit's statistics processors, before its
 * exporters), metric readers, views and resource attributes.
 */
export interface StartOptions extends Additions {
  /** Environment to read instead of process.env (tests, embedding). */
  readonly env?: Env;
  /** Flush and re-raise on SIGTERM/SIGINT and flush before exit (default true). */
  readonly handleSignals?: boolean;
}

export interface Otelkit {
  readonly config: Config;
  readonly app: AppInfo;
  readonly sdk: Sdk;
  /** Bound port of the admin server, once listening (undefined if it could not listen). */
  readonly adminPort: Promise<number | undefined>;
  /** The admin route table (served on the admin port, mounted routes, monitoringHandler()). */
  readonly router: Router;
  isDraining(): boolean;
  shutdown(): Promise<void>;
}

type Global = typeof globalThis & { [kInstance]?: Otelkit };

export function currentInstance(): Otelkit | undefined {
  return (globalThis as Global)[kInstance];
}

/** Starts otelkit once; never throws into the caller. */
export function start(options: StartOptions = {}): Otelkit | undefined {
  const existing = currentInstance();
  if (existing) {
    log.warn('otelkit is already running (started by the preload?); start() returned the running instance.');
    return existing;
  }
  try {
    const warnings: string[] = [];
    const config = loadConfig(options.env ?? process.env, (w) => warnings.push(w));
    setupDiag(config.otelLogLevel);
    const configLog = componentLogger('otelkit:config');
    for (const w of warnings) configLog.warn(w);
    if (config.sdkDisabled) return undefined;
    const app = readAppInfo();
    const apiProblem = checkApi(app.dir);
    if (apiProblem !== undefined) log.warn(apiProblem);
    const instance = create(config, app, options);
    (globalThis as Global)[kInstance] = instance;
    return instance;
  } catch (err) {
    log.error(`otelkit failed to start; the application runs uninstrumented: ${err instanceof Error ? err.stack : String(err)}`);
    return undefined;
  }
}

/** Flushes and stops the running instance (bounded by OTELKIT_SHUTDOWN_TIMEOUT_MS). */
export async function shutdown(): Promise<void> {
  await currentInstance()?.shutdown();
}

function create(config: Config, app: AppInfo, options: StartOptions): Otelkit {
  const startedAt = Date.now();
  let draining = false;
  const features = createFeatures(config);
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
  const router = createRouter(routes);
  const servers: AdminServer[] = [startAdminServer(config.adminHost, config.adminPort, router)];
  if (needsPrometheusServer(config)) {
    servers.push(startAdminServer(config.prometheusHost, config.prometheusPort, createRouter({ '/metrics': routes['/metrics'] }), 'the separate Prometheus endpoint'));
  }
  const { active, loaded } = sdk.instrumentations;
  sharedLogger().info(`instrumentations active: ${active.join(', ') || 'none'}; their modules loaded so far: ${loaded.join(', ') || 'none'}`, {
    component: 'otelkit',
    instrumentations: active,
    loaded,
  });

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
function createFeatures(config: Config): Feature[] {
  const metrics = createMetricsFeature(config);
  return [
    createLogging(config),
    createDbFeature(config),
    createApmFeature(config),
    createErrorsFeature(config),
    metrics,
    createHealthFeature(config, metrics.readings),
    createMountFeature(config, () => currentInstance()?.router),
    createStatusPageFeature(),
  ];
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
