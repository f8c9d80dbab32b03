/**
 * Builds and starts the OpenTelemetry SDK from Config and owns flush and shutdown. Data
 * flows one way: instrumentations → span processors (APM statistics, slow queries, secret
 * masking) → exporters and the admin endpoints.
 *
 * The providers are composed here from the SDK packages (sdk-trace, sdk-metrics, sdk-logs)
 * the way NodeSDK composes them, because @opentelemetry/sdk-node loads every OTLP exporter
 * for every signal and transport at import (gRPC included), which otelkit builds only when
 * configured: see docs/ARCHITECTURE.md for the start-up figures and
 * test/sdk/conformance.test.mjs for the check that the exported data is NodeSDK's.
 */
import { context, metrics, propagation, SpanKind, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Resource } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { RandomIdGenerator, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { OtelkitTracerProvider } from './tracing/tracer';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import { buildResource } from './resource';
import { buildSampler, spanLimits } from './sdk-options';
import { construct, selectInstrumentations } from './instrumentations';
import { buildOnFirstLoad } from './instrumentations/deferred';
import { wrapModules, wrapModulesOf } from './instrumentations/esm-filter';
import type { CatalogueEntry } from './instrumentations/catalogue';
import { createMetricExporter, exportersFor, exportingSpanProcessors, otlpTarget, otlpUrls } from './export/otlp';
import { createDelivery } from './export/delivery';
import { startLogExport, type LogExport } from './export/logs';
import { installExportErrorHandler } from './export/error-handler';
import { createPrometheusReader, type PrometheusReader } from './metrics/prometheus';
import { summingMeterProvider } from './metrics/summed-counters';
import { RequestIdPropagator } from './requests/request-id';
import { createHttpServerInstrumentation, type HttpServerInstrumentation, type ResponseInfo } from './requests/http-server';
import { dbMetricViews } from './db/views';
import { sharedStorageViews } from './metrics/shared-storage';
import { VERSION } from './version';
import { componentLogger } from './diag';
import type { IncomingMessage } from 'node:http';

export { VERSION };

const log = componentLogger('otelkit');
/** The scope of otelkit's own meter and tracer. */
const SCOPE = 'otelkit';
const PG_INSTRUMENTATION = '@opentelemetry/instrumentation-pg';
const PG_POOL_COUNTERS: ReadonlySet<string> = new Set(['db.client.connection.count', 'db.client.connection.pending_requests']);

/** What the application (start() options, OTELKIT_EXTENSIONS) adds, in NodeSDK's shapes. */
export interface Additions {
  readonly instrumentations?: readonly (Instrumentation | readonly Instrumentation[])[];
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly metricReaders?: readonly IMetricReader[];
  readonly views?: readonly ViewOptions[];
  readonly resourceAttributes?: Readonly<Record<string, string | number | boolean>>;
}

export interface SdkParts {
  /** Processors that turn finished spans into statistics; run before any exporter. */
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly onResponse?: (info: ResponseInfo, req: IncomingMessage) => void;
  readonly additions?: Additions;
}

export interface Sdk {
  readonly config: Config;
  /** service.name of the resource. */
  readonly service: string;
  readonly resource: Resource;
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly prometheus: PrometheusReader;
  /** Instrumentations built so far (the deferred ones join as the app loads their modules), and how many wait. */
  readonly instrumentations: { active(): readonly string[]; waiting(): number };
  /** OTLP log export is on. */
  readonly sendsLogs: boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function startSdk(config: Config, app: AppInfo, parts: SdkParts = {}): Sdk {
  const additions = parts.additions ?? {};
  const exporters = exportersFor(config);
  const delivery = createDelivery(otlpUrls(config));
  installExportErrorHandler();
  const resource = buildResource(config, app, additions.resourceAttributes);

  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new RequestIdPropagator(config.requestIdHeader)],
  }));

  const prometheus = createPrometheusReader();
  const readers: IMetricReader[] = [prometheus.reader, ...(additions.metricReaders ?? [])];
  const metricsTarget = otlpTarget(config, 'metrics');
  if (exporters.metrics.includes('otlp') && metricsTarget) {
    readers.push(new PeriodicExportingMetricReader({
      exporter: delivery.metrics(createMetricExporter(metricsTarget, config)),
      exportIntervalMillis: config.metricExportIntervalMs,
      exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
    }));
  }
  const appViews = additions.views ?? [];
  const views = [...dbMetricViews(), ...sharedStorageViews(SCOPE, readers, appViews), ...appViews];
  const meterProvider = new MeterProvider({ resource, readers, views });
  metrics.setGlobalMeterProvider(meterProvider);

  const spanProcessors = [
    ...(parts.spanProcessors ?? []),
    ...(additions.spanProcessors ?? []),
    ...exportingSpanProcessors(config, exporters.traces, meterProvider, delivery),
  ];
  const sampler = buildSampler(config);
  const idGenerator = new RandomIdGenerator();
  const limits = spanLimits(config);
  const tracerProvider = new OtelkitTracerProvider({ resource, sampler, idGenerator, spanLimits: limits, spanProcessors });
  trace.setGlobalTracerProvider(tracerProvider);

  const logExport: LogExport | undefined = exporters.logs.includes('otlp') ? startLogExport(config, resource, delivery) : undefined;
  const sendsLogs = logExport !== undefined;

  const instrumentations = selectInstrumentations({ config, sendLogs: sendsLogs, appDir: app.dir });
  const active = [...instrumentations.names];
  let waiting = instrumentations.deferred.length;
  const providers = { tracerProvider, meterProvider, loggerProvider: logExport?.provider };
  const meter = meterProvider.getMeter(SCOPE, VERSION);
  // The pg pool's connection counters are summed in the process (metrics/summed-counters.ts).
  const pgProviders = { ...providers, meterProvider: summingMeterProvider(meterProvider, PG_POOL_COUNTERS, meter) };
  const register = (list: Instrumentation[]): (() => void) => {
    const pg = list.filter((i) => i.instrumentationName === PG_INSTRUMENTATION);
    const undo = [registerInstrumentations({ ...providers, instrumentations: list.filter((i) => !pg.includes(i)) })];
    if (pg.length > 0) undo.push(registerInstrumentations({ ...pgProviders, instrumentations: pg }));
    return () => undo.forEach((fn) => fn());
  };
  // Under --import, the ES-module hook wraps the modules of these only (esm-filter.ts).
  instrumentations.instrumentations.forEach(wrapModulesOf);
  for (const entry of instrumentations.deferred) wrapModules([...entry.modules, ...(entry.builtins ?? [])]);
  const deregister = register(instrumentations.instrumentations);
  const later: Array<() => void> = [];
  const build = (entry: CatalogueEntry) => {
    waiting--;
    const instrumentation = construct(entry, { config, sendLogs: sendsLogs, appDir: app.dir });
    if (instrumentation !== undefined) {
      wrapModulesOf(instrumentation);
      later.push(register([instrumentation]));
      active.push(entry.name);
    }
    return instrumentation;
  };
  // Without Node's in-thread module hooks, every installed one is built now.
  const stopWatching = buildOnFirstLoad(instrumentations.deferred, build);
  if (stopWatching === undefined) instrumentations.deferred.forEach(build);
  const added = registerAdded(additions.instrumentations ?? [], providers);

  const tracer = tracerProvider.getTracer(SCOPE, VERSION);
  let httpServer: HttpServerInstrumentation | undefined;
  if (instrumentations.httpServer) {
    httpServer = createHttpServerInstrumentation({
      startSpan: (name, attributes, parent) => tracer.startTrusted(name, SpanKind.SERVER, attributes, parent),
      meter,
      attach: (ctx) => contextManager.attach(ctx),
      requestIdHeader: config.requestIdHeader,
      onTemplatesFull: () => log.warn('200 route-like names are in use for requests no framework routed; requests with new paths are named by their method alone. Name routes with setRoute() or a framework.'),
      onResponse: parts.onResponse,
    });
  }

  return {
    config,
    service: String(resource.attributes['service.name']),
    resource,
    tracer,
    meter,
    prometheus,
    instrumentations: { active: () => [...active, ...added.names], waiting: () => waiting },
    sendsLogs,
    async forceFlush() {
      // A collector that refuses connections takes nothing: exports end at once.
      await delivery.closeIfUnreachable();
      await Promise.allSettled([tracerProvider.forceFlush(), meterProvider.forceFlush(), logExport?.provider.forceFlush()]);
    },
    async shutdown() {
      await delivery.closeIfUnreachable();
      httpServer?.shutdown();
      deregister();
      stopWatching?.();
      later.forEach((fn) => fn());
      added.deregister();
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown(), logExport?.provider.shutdown()]);
    },
  };
}

/**
 * Instrumentations the application adds, each registered on its own: one that is not an
 * Instrumentation, or throws while it enables, costs one warning and is left out.
 */
function registerAdded(
  list: readonly (Instrumentation | readonly Instrumentation[])[],
  providers: Omit<Parameters<typeof registerInstrumentations>[0], 'instrumentations'>,
): { names: string[]; deregister: () => void } {
  const names: string[] = [];
  const undo: Array<() => void> = [];
  for (const item of list.flat()) {
    const name = typeof item?.instrumentationName === 'string' ? item.instrumentationName : String(item);
    if (typeof item?.enable !== 'function' || typeof item.setTracerProvider !== 'function') {
      log.warn(`an added instrumentation (${name.slice(0, 80)}) is not an OpenTelemetry Instrumentation; it was left out.`);
      continue;
    }
    try {
      wrapModulesOf(item);
      undo.push(registerInstrumentations({ ...providers, instrumentations: [item] }));
      names.push(name);
    } catch (err) {
      log.warn(`the added instrumentation ${name} failed to enable (${(err as Error).message}); the application runs without it.`);
    }
  }
  return { names, deregister: () => undo.forEach((fn) => fn()) };
}
