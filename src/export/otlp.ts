/**
 * OTLP exporters for the three signals, loaded only when configured (spans over
 * http/protobuf use otelkit's encoder on the stock transport: span-exporter.ts): the protobuf, JSON
 * and gRPC exporter packages cost start-up time that an app without a collector should
 * not pay. Endpoints follow the OTLP exporter specification: a per-signal variable is
 * used as is; the base endpoint gets /v1/{signal} appended for the HTTP transports.
 */
import type { MeterProvider, PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Config, OtlpProtocol } from '../config';
import { createProtobufSpanExporter } from './span-exporter';

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

export function createSpanExporter(target: OtlpTarget, selfObsMeterProvider?: MeterProvider): SpanExporter {
  if (target.protocol === 'http/protobuf') return createProtobufSpanExporter(target.url, selfObsMeterProvider);
  const options = { url: target.url, selfObsMeterProvider };
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

export function createMetricExporter(target: OtlpTarget): PushMetricExporter {
  const options = { url: target.url };
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

export function createLogExporter(target: OtlpTarget): LogRecordExporter {
  const options = { url: target.url };
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
