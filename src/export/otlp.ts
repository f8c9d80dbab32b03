/**
 * OTLP exporters for the three signals, loaded only when configured: the protobuf, JSON and
 * gRPC exporter packages cost start-up time that an app without a collector should not
 * pay. Endpoints follow the OTLP exporter specification: a per-signal variable is used as
 * is; the base endpoint gets /v1/{signal} appended for the HTTP transports.
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Config, OtlpProtocol } from '../config';
import { RedactingSpanProcessor } from '../secrets';
import type { Delivery } from './delivery';
import { refusalAgentFactory } from './refusal-agent';
import { createProtobufSpanExporter, EncodingSpanProcessor } from './span-exporter';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface OtlpTarget {
  readonly url: string;
  readonly protocol: OtlpProtocol;
}

/** Where a signal goes, or undefined when no endpoint is configured for it. */
export function otlpTarget(config: Config, signal: Signal): OtlpTarget | undefined {
  const perSignal = { traces: config.otlpTracesEndpoint, metrics: config.otlpMetricsEndpoint, logs: config.otlpLogsEndpoint }[signal];
  const protocol = { traces: config.otlpTracesProtocol, metrics: config.otlpMetricsProtocol, logs: config.otlpLogsProtocol }[signal] || config.otlpProtocol;
  if (perSignal) return { url: perSignal, protocol };
  if (!config.otlpEndpoint) return undefined;
  const base = config.otlpEndpoint.replace(/\/+$/, '');
  return { url: protocol === 'grpc' ? base : `${base}/v1/${signal}`, protocol };
}

/** The endpoints OTLP export sends to, for the signals that export. */
export function otlpUrls(config: Config): string[] {
  const on = exportersFor(config);
  return (['traces', 'metrics', 'logs'] as const)
    .filter((signal) => on[signal].includes('otlp'))
    .flatMap((signal) => otlpTarget(config, signal)?.url ?? []);
}

/** What each OTEL_*_EXPORTER list means once defaults are applied. */
export function exportersFor(config: Config): { traces: string[]; metrics: string[]; logs: string[] } {
  const otlpOn = (signal: Signal) => otlpTarget(config, signal) !== undefined;
  const pick = (list: readonly string[], fallback: string[]) => (list.length === 0 ? fallback : list.includes('none') ? [] : [...list]);
  const only = (list: string[], signal: Signal) => list.filter((name) => name !== 'otlp' || otlpOn(signal));
  return {
    traces: only(pick(config.tracesExporter, otlpOn('traces') ? ['otlp'] : []), 'traces'),
    metrics: only(pick(config.metricsExporter, otlpOn('metrics') ? ['prometheus', 'otlp'] : ['prometheus']), 'metrics'),
    logs: only(pick(config.logsExporter, otlpOn('logs') ? ['otlp'] : []), 'logs'),
  };
}

/**
 * The span processors that send spans out, after secret masking. Spans that are not
 * exported (the embedded default) only feed APM and slow queries, which never read the
 * attributes masking changes.
 */
export function exportingSpanProcessors(config: Config, names: readonly string[], meterProvider: MeterProvider, delivery: Delivery): SpanProcessor[] {
  const out: SpanProcessor[] = [];
  const target = otlpTarget(config, 'traces');
  if (names.includes('otlp') && target) {
    // OTLP/protobuf is written as each span ends and the batch queues bytes (span-exporter.ts).
    const encoding = target.protocol === 'http/protobuf';
    const batch = new BatchSpanProcessor({
      exporter: delivery.spans(encoding ? createProtobufSpanExporter(exporterOptions(target, config), meterProvider) : createSpanExporter(target, config, meterProvider)),
      maxQueueSize: config.bspMaxQueueSize,
      maxExportBatchSize: Math.min(config.bspMaxExportBatchSize, config.bspMaxQueueSize),
      scheduledDelayMillis: config.bspScheduleDelayMs,
      exportTimeoutMillis: config.bspExportTimeoutMs,
      selfObsMeterProvider: meterProvider,
    });
    out.push(encoding ? new EncodingSpanProcessor(batch) : batch);
  }
  if (names.includes('console')) out.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  return out.length === 0 ? out : [new RedactingSpanProcessor(), ...out];
}

/**
 * Options every OTLP exporter gets: an export with its retries lasts at most the shutdown
 * timeout (OTEL_EXPORTER_OTLP_TIMEOUT when shorter), so no exit waits longer for one; over
 * plain http a refused connection is not retried (refusal-agent.ts).
 */
function exporterOptions(target: OtlpTarget, config: Config): { url: string; timeoutMillis: number; httpAgentOptions?: ReturnType<typeof refusalAgentFactory> } {
  const timeoutMillis = Math.max(1, Math.min(config.otlpTimeoutMs, config.shutdownTimeoutMs || config.otlpTimeoutMs));
  const plain = target.protocol !== 'grpc' && target.url.startsWith('http:');
  return plain ? { url: target.url, timeoutMillis, httpAgentOptions: refusalAgentFactory() } : { url: target.url, timeoutMillis };
}

/** The stock exporter of the other protocols (OTLP/protobuf: createProtobufSpanExporter). */
function createSpanExporter(target: OtlpTarget, config: Config, selfObsMeterProvider?: MeterProvider): SpanExporter {
  const options = { ...exporterOptions(target, config), selfObsMeterProvider };
  switch (target.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter(options);
    }
    default: {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(options);
    }
  }
}

export function createMetricExporter(target: OtlpTarget, config: Config): PushMetricExporter {
  const options = exporterOptions(target, config);
  switch (target.protocol) {
    case 'grpc': {
      const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof import('@opentelemetry/exporter-metrics-otlp-grpc');
      return new OTLPMetricExporter(options);
    }
    case 'http/json': {
      const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
      return new OTLPMetricExporter(options);
    }
    default: {
      const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
      return new OTLPMetricExporter(options);
    }
  }
}

export function createLogExporter(target: OtlpTarget, config: Config): LogRecordExporter {
  const options = exporterOptions(target, config);
  switch (target.protocol) {
    case 'grpc': {
      const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-grpc') as typeof import('@opentelemetry/exporter-logs-otlp-grpc');
      return new OTLPLogExporter(options);
    }
    case 'http/json': {
      const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-http') as typeof import('@opentelemetry/exporter-logs-otlp-http');
      return new OTLPLogExporter(options);
    }
    default: {
      const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto') as typeof import('@opentelemetry/exporter-logs-otlp-proto');
      return new OTLPLogExporter(options);
    }
  }
}
