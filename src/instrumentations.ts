/**
 * Which instrumentations run. Each entry names the modules it instruments; an entry is
 * loaded only when one of them is installed where the application resolves modules from
 * (or it instruments Node itself), so an app without Express never pays for loading the
 * Express instrumentation. OTEL_NODE_ENABLED_INSTRUMENTATIONS / _DISABLED_ pick by name.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { MeterProvider, Span } from '@opentelemetry/api';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import { getRequestId } from './requests/request-id';
import type { SummedMetrics } from './metrics/summed-meter';

export interface InstrumentationContext {
  readonly config: Config;
  /** OTLP log export is on: bridge the app's logger records to it. */
  readonly sendLogs: boolean;
  /** Aggregates the instrumentations' UpDownCounters and Histograms (summed-meter.ts). */
  readonly summed: SummedMetrics;
}

interface Entry {
  readonly name: string;
  /** Modules it patches; empty means Node built-ins (always present). */
  readonly modules: readonly string[];
  /** undefined: served by otelkit's own code (no instrumentation package to load). */
  readonly load?: (ctx: InstrumentationContext) => Instrumentation;
}

/** Adds the request id to the app's own log records (winston and pino log hooks). */
function addRequestId(_span: Span, record: Record<string, unknown>): void {
  const id = getRequestId();
  if (id !== undefined) record['request_id'] = id;
}

const ENTRIES: readonly Entry[] = [
  {
    // Server side: otelkit's diagnostics-channel instrumentation (src/requests/http-server.ts).
    // Client side: the OpenTelemetry instrumentation, with its server half switched off.
    name: 'http',
    modules: [],
    load: () => {
      const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({ disableIncomingRequestInstrumentation: true });
    },
  },
  {
    name: 'undici',
    modules: [],
    load: () => {
      const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
      return new UndiciInstrumentation();
    },
  },
  // Express and Fastify need no instrumentation package: the route template is read from
  // Express's own req.route / req.baseUrl and from Fastify's diagnostics channel when the
  // response finishes (src/requests/http-server.ts). The OpenTelemetry Express
  // instrumentation would add a span per route handler and per-layer bookkeeping to every
  // request, for a route otelkit already has.
  { name: 'express', modules: ['express'] },
  { name: 'fastify', modules: ['fastify'] },
  {
    name: 'koa',
    modules: ['koa'],
    load: () => {
      const { KoaInstrumentation, KoaLayerType } = require('@opentelemetry/instrumentation-koa') as typeof import('@opentelemetry/instrumentation-koa');
      // Router layers carry the route template (Koa's ctx is not reachable from the request);
      // plain middleware would add a span each to every request.
      return new KoaInstrumentation({ ignoreLayersType: [KoaLayerType.MIDDLEWARE] });
    },
  },
  {
    name: 'pg',
    modules: ['pg'],
    load: () => {
      const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
      // Queries keep their spans; the pool's connect calls (one per pool.query) do not. Its
      // counters and query histogram are aggregated by otelkit like every instrumentation's
      // (withSummedMetrics below).
      return new PgInstrumentation({ enhancedDatabaseReporting: false, ignoreConnectSpans: true });
    },
  },
  {
    name: 'mysql2',
    modules: ['mysql2'],
    load: () => {
      const { MySQL2Instrumentation } = require('@opentelemetry/instrumentation-mysql2') as typeof import('@opentelemetry/instrumentation-mysql2');
      return new MySQL2Instrumentation();
    },
  },
  {
    name: 'ioredis',
    modules: ['ioredis'],
    load: () => {
      const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
      return new IORedisInstrumentation();
    },
  },
  {
    name: 'redis',
    modules: ['redis', '@redis/client'],
    load: () => {
      const { RedisInstrumentation } = require('@opentelemetry/instrumentation-redis') as typeof import('@opentelemetry/instrumentation-redis');
      return new RedisInstrumentation();
    },
  },
  {
    name: 'winston',
    modules: ['winston'],
    load: ({ sendLogs }) => {
      const { WinstonInstrumentation } = require('@opentelemetry/instrumentation-winston') as typeof import('@opentelemetry/instrumentation-winston');
      return new WinstonInstrumentation({ disableLogSending: !sendLogs, logHook: addRequestId });
    },
  },
  {
    name: 'pino',
    modules: ['pino'],
    load: ({ sendLogs }) => {
      const { PinoInstrumentation } = require('@opentelemetry/instrumentation-pino') as typeof import('@opentelemetry/instrumentation-pino');
      return new PinoInstrumentation({ disableLogSending: !sendLogs, logHook: addRequestId });
    },
  },
  {
    name: 'runtime-node',
    modules: [],
    load: () => {
      const { RuntimeNodeInstrumentation } = require('@opentelemetry/instrumentation-runtime-node') as typeof import('@opentelemetry/instrumentation-runtime-node');
      return new RuntimeNodeInstrumentation();
    },
  },
];

export const INSTRUMENTATION_NAMES: readonly string[] = ENTRIES.map((e) => e.name);

export interface Selection {
  /** Names switched on by configuration whose modules are installed. */
  readonly active: readonly string[];
  /** Of those, the ones whose modules the app has already loaded. */
  readonly loaded: readonly string[];
  readonly instrumentations: Instrumentation[];
  /** otelkit's own HTTP server instrumentation is wanted. */
  readonly httpServer: boolean;
}

/** Short name from "pg" or "@opentelemetry/instrumentation-pg". */
function shortName(name: string): string {
  return name.replace(/^@opentelemetry\/instrumentation-/, '');
}

export function isEnabled(name: string, config: Config): boolean {
  const enabled = config.enabledInstrumentations.map(shortName);
  const disabled = config.disabledInstrumentations.map(shortName);
  return (enabled.length === 0 || enabled.includes(name)) && !disabled.includes(name);
}

export function selectInstrumentations(ctx: InstrumentationContext, app: AppInfo): Selection {
  const requireFromApp = createRequire(join(app.dir, 'noop.js'));
  const installed = (m: string) => resolves(requireFromApp, m);
  const active: string[] = [];
  const loaded: string[] = [];
  const instrumentations: Instrumentation[] = [];
  for (const entry of ENTRIES) {
    if (!isEnabled(entry.name, ctx.config)) continue;
    if (entry.modules.length > 0 && !entry.modules.some(installed)) continue;
    active.push(entry.name);
    if (entry.modules.some((m) => isLoaded(requireFromApp, m))) loaded.push(entry.name);
    if (entry.load) instrumentations.push(withSummedMetrics(entry.load(ctx), ctx.summed));
  }
  return { active, loaded, instrumentations, httpServer: active.includes('http') };
}

/** The instrumentation's meters come from the summing provider (summed-meter.ts). */
function withSummedMetrics(instrumentation: Instrumentation, summed: SummedMetrics): Instrumentation {
  const setMeterProvider = instrumentation.setMeterProvider.bind(instrumentation);
  instrumentation.setMeterProvider = (provider: MeterProvider) => setMeterProvider(summed.wrap(provider));
  return instrumentation;
}

function resolves(req: NodeRequire, id: string): boolean {
  try {
    req.resolve(id);
    return true;
  } catch {
    return false;
  }
}

function isLoaded(req: NodeRequire, id: string): boolean {
  try {
    return req.resolve(id) in require.cache;
  } catch {
    return false;
  }
}
