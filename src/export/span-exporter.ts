/**
 * OTLP/HTTP protobuf span exporter: the OpenTelemetry exporter's own HTTP transport
 * (headers, compression, timeouts, retries with back-off, self-observability metrics),
 * with otelkit's one-pass encoder in place of the stock serializer (span-encoder.ts): the
 * stock one costs ~60k instructions per exported span, this one ~15k
 * (docs/ARCHITECTURE.md; test/export/span-encoder.test.mjs checks they write the same).
 */
import type { MeterProvider } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { ISerializer, IExportTraceServiceResponse } from '@opentelemetry/otlp-transformer';
import { encodeSpans } from './span-encoder';

/** The component type the stock exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

export function createProtobufSpanExporter(options: { url: string; timeoutMillis?: number; httpAgentOptions?: unknown }, selfObsMeterProvider?: MeterProvider): SpanExporter {
  const { OTLPExporterBase } = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const { createOtlpHttpExportDelegate, convertLegacyHttpOptions } = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const serializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
    serializeRequest: (spans) => encodeSpans(spans),
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  const http = convertLegacyHttpOptions(options as Parameters<typeof convertLegacyHttpOptions>[0], 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const delegate = createOtlpHttpExportDelegate(http, serializer, COMPONENT_TYPE, TraceExporterMetricsHelper, selfObsMeterProvider);
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
