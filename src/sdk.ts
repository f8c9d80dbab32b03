/**
 * Builds and starts the OpenTelemetry NodeSDK from Config, with every component handed
 * over explicitly (NodeSDK never reads the environment for them), and owns flush and
 * shutdown. Data flows one way: instrumentations → span processors (APM statistics, slow
 * queries) → exporters and the admin endpoints.
 */
import { metrics, trace, type Meter, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality, AggregationType, InstrumentType, PeriodicExportingMetricReader,
  type MeterProvider, type MetricReader, type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ConsoleSpanExporter, ParentBasedSampler, SimpleSpanProcessor,
  TraceIdRatioBasedSampler, type Sampler, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { Config } from './config';
import type { AppInfo } from './app-info';
import { buildResource } from './resource';
import { PooledIdGenerator } from './id-generator';
import { NodeSDK, createSpanLimitsFromEnv } from './sdk-node';
import { selectInstrumentations, type Selection } from './instrumentations';
import { createMetricExporter, createLogExporter, createSpanExporter, otlpTarget } from './export/otlp';
import { DeferredSpanProcessor } from './export/deferred-processor';
import { installExportErrorHandler } from './export/error-handler';
import { RedactingLogRecordProcessor, RedactingSpanProcessor } from './secrets';
import { createPrometheusReader, type PrometheusReader } from './metrics/prometheus';
import { RequestIdPropagator } from './requests/request-id';
import { createHttpServerInstrumentation, type HttpServerInstrumentation, type ResponseInfo } from './requests/http-server';
import { createRequestDurations } from './requests/durations';
import { createSummedMetrics } from './metrics/summed-meter';
import { deltaProducer } from './metrics/histogram';
import { serverSpans } from './requests/server-span';
import type { IncomingMessage } from 'node:http';

export const VERSION = '0.1.0';

export interface SdkParts {
  /** Processors that turn finished spans into statistics; run before any exporter. */
  readonly spanProcessors?: readonly SpanProcessor[];
  readonly onResponse?: (info: ResponseInfo, req: IncomingMessage) => void;
}

export interface Sdk {
  readonly config: Config;
  /** service.name of the resource. */
  readonly service: string;
  readonly tracer: Tracer;
  readonly meter: Meter;
  readonly prometheus: PrometheusReader;
  readonly instrumentations: Selection;
  /** OTLP log export is on. */
  readonly sendsLogs: boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** What each OTEL_*_EXPORTER list means once defaults are applied. */
export function exportersFor(config: Config): { traces: string[]; metrics: string[]; logs: string[] } {
  const otlpOn = (signal: 'traces' | 'metrics' | 'logs') => otlpTarget(config, signal) !== undefined;
  const pick = (list: readonly string[], fallback: string[]) => (list.length === 0 ? fallback : list.includes('none') ? [] : [...list]);
  return {
    traces: pick(config.tracesExporter, otlpOn('traces') ? ['otlp'] : []),
    metrics: pick(config.metricsExporter, otlpOn('metrics') ? ['prometheus', 'otlp'] : ['prometheus']),
    logs: pick(config.logsExporter, otlpOn('logs') ? ['otlp'] : []),
  };
}

export function buildSampler(config: Config): Sampler {
  const ratio = () => new TraceIdRatioBasedSampler(config.tracesSamplerArg);
  switch (config.tracesSampler) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return ratio();
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: ratio() });
    default: return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

export function startSdk(config: Config, app: AppInfo, parts: SdkParts = {}): Sdk {
  const exporters = exportersFor(config);
  installExportErrorHandler();
  const contextManager = new AsyncLocalStorageContextManager();
  const durations = createRequestDurations({ name: 'otelkit', version: VERSION });
  const summed = createSummedMetrics();
  const prometheus = createPrometheusReader([durations, summed]);

  const readers: MetricReader[] = [prometheus.reader];
  const metricsTarget = otlpTarget(config, 'metrics');
  let sharedOtlpReader: MetricReader | undefined;
  if (exporters.metrics.includes('otlp') && metricsTarget) {
    const exporter = createMetricExporter(metricsTarget);
    const options = {
      exporter,
      exportIntervalMillis: config.metricExportIntervalMs,
      exportTimeoutMillis: Math.min(30_000, config.metricExportIntervalMs),
    };
    if (wantsWhatPrometheusCollects(exporter)) {
      // Every registered reader keeps its own storage, so each measurement would be
      // hashed and aggregated twice; cumulative OTLP export sends what the Prometheus
      // reader already holds (bound below, once that reader is registered).
      sharedOtlpReader = new PeriodicExportingMetricReader(options);
    } else {
      // otelkit's own histograms are cumulative; a delta preference reads them as deltas.
      const producers = exporter.selectAggregationTemporality?.(InstrumentType.HISTOGRAM) === AggregationTemporality.DELTA
        ? [deltaProducer(durations), deltaProducer(summed)]
        : [durations, summed];
      readers.push(new PeriodicExportingMetricReader({ ...options, metricProducers: producers }));
    }
  }

  // Exporting processors need the MeterProvider (to count what they drop), which NodeSDK
  // creates in start(); they are plugged in right after it.
  const exportProcessor = new DeferredSpanProcessor();
  const logProcessors: LogRecordProcessor[] = [];
  const logsTarget = otlpTarget(config, 'logs');
  const sendsLogs = exporters.logs.includes('otlp') && logsTarget !== undefined;
  if (sendsLogs) {
    const { BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs');
    logProcessors.push(new RedactingLogRecordProcessor(), new BatchLogRecordProcessor({ exporter: createLogExporter(logsTarget) }));
  }

  const instrumentations = selectInstrumentations({ config, sendLogs: sendsLogs, summed }, app);
  const resource = buildResource(config, app);
  // Shared with the HTTP server spans, which are made outside the SDK Tracer (server-span.ts).
  const sampler = buildSampler(config);
  const idGenerator = new PooledIdGenerator();
  const spanLimits = createSpanLimitsFromEnv() ?? {};
  const spanProcessors = [...(parts.spanProcessors ?? []), exportProcessor];
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    contextManager,
    textMapPropagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new RequestIdPropagator(config.requestIdHeader)],
    }),
    sampler,
    idGenerator,
    spanLimits,
    metricReaders: readers,
    spanProcessors,
    logRecordProcessors: logProcessors,
    instrumentations: instrumentations.instrumentations,
  });
  sdk.start();
  sharedOtlpReader?.setMetricProducer({ collect: (options) => prometheus.reader.collect(options) });

  const meterProvider = metrics.getMeterProvider() as MeterProvider;
  exportProcessor.set(exportingProcessors(config, exporters.traces, meterProvider));
  const tracer = trace.getTracer('otelkit', VERSION);
  const meter = metrics.getMeter('otelkit', VERSION);

  let httpServer: HttpServerInstrumentation | undefined;
  if (instrumentations.httpServer) {
    httpServer = createHttpServerInstrumentation({
      startSpan: serverSpans({ sampler, idGenerator, processors: spanProcessors, resource, scope: { name: 'otelkit', version: VERSION }, limits: spanLimits }),
      durations,
      attach: (ctx) => contextManager.attach(ctx),
      requestIdHeader: config.requestIdHeader.toLowerCase(),
      onResponse: parts.onResponse,
    });
  }

  return {
    config,
    service: String(resource.attributes['service.name']),
    tracer,
    meter,
    prometheus,
    instrumentations,
    sendsLogs,
    forceFlush: () => flushAll(meterProvider, sharedOtlpReader),
    async shutdown() {
      httpServer?.shutdown();
      // Its last export reads the Prometheus reader, which sdk.shutdown() closes.
      await sharedOtlpReader?.shutdown().catch(() => undefined);
      await sdk.shutdown();
    },
  };
}

function exportingProcessors(config: Config, names: readonly string[], meterProvider: MeterProvider): SpanProcessor[] {
  const out: SpanProcessor[] = [];
  const target = otlpTarget(config, 'traces');
  if (names.includes('otlp') && target) {
    out.push(new BatchSpanProcessor(createSpanExporter(target, meterProvider), {
      maxQueueSize: config.bspMaxQueueSize,
      maxExportBatchSize: Math.min(config.bspMaxExportBatchSize, config.bspMaxQueueSize),
      scheduledDelayMillis: config.bspScheduleDelayMs,
      exportTimeoutMillis: config.bspExportTimeoutMs,
      selfObsMeterProvider: meterProvider,
    } as ConstructorParameters<typeof BatchSpanProcessor>[1]));
  }
  if (names.includes('console')) out.push(new SimpleSpanProcessor(new ConsoleSpanExporter()));
  // Secrets are masked on the way out: spans that are not exported (the embedded default)
  // only feed APM and slow queries, which never read the attributes it masks.
  return out.length === 0 ? out : [new RedactingSpanProcessor(), ...out];
}

async function flushAll(meterProvider: MeterProvider, sharedOtlpReader: MetricReader | undefined): Promise<void> {
  const tracerProvider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  const delegate = tracerProvider.getDelegate?.();
  await Promise.allSettled([delegate?.forceFlush?.(), meterProvider.forceFlush?.(), sharedOtlpReader?.forceFlush()]);
}

const INSTRUMENT_TYPES = Object.values(InstrumentType);

/** The OTLP exporter asks for cumulative, default-aggregated data: what Prometheus reads. */
function wantsWhatPrometheusCollects(exporter: PushMetricExporter): boolean {
  return INSTRUMENT_TYPES.every((type) =>
    (exporter.selectAggregationTemporality?.(type) ?? AggregationTemporality.CUMULATIVE) === AggregationTemporality.CUMULATIVE
    && (exporter.selectAggregation?.(type).type ?? AggregationType.DEFAULT) === AggregationType.DEFAULT);
}
