/**
 * OTLP/HTTP protobuf span export. Each sampled span is written to bytes as it ends
 * (span-encoder.ts) and the SDK's BatchSpanProcessor queues those bytes, not the span: a
 * span object held until its batch leaves survives the young generation's scavenges, and
 * under load that grew the young generation and the peak RSS of an exporting process
 * (docs/ARCHITECTURE.md). Batching, queue bounds, timers, flush and the processor's
 * metrics stay the SDK's; sending stays the OpenTelemetry exporter's own HTTP transport
 * (headers, compression, timeouts, retries with back-off, self-observability metrics).
 * test/export/span-encoder.test.mjs checks the bytes are the stock serializer's.
 */
import { diag, TraceFlags, type MeterProvider, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { ISerializer, IExportTraceServiceResponse, IExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import { encodeRequest, encodeSpan, type EncodedSpan } from './span-encoder';

/** The component type the stock exporter reports in its self-observability metrics. */
const COMPONENT_TYPE = 'otlp_http_span_exporter';

/** What BatchSpanProcessor reads of a queued span: its sampled flag and its resource. */
const SAMPLED: SpanContext = { traceId: '', spanId: '', traceFlags: TraceFlags.SAMPLED };

class QueuedSpan implements EncodedSpan {
  constructor(
    readonly resource: EncodedSpan['resource'],
    readonly instrumentationScope: EncodedSpan['instrumentationScope'],
    readonly slab: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  spanContext(): SpanContext {
    return SAMPLED;
  }
}

function queue(span: ReadableSpan, slab: Buffer, start: number, end: number): QueuedSpan {
  return new QueuedSpan(span.resource, span.instrumentationScope, slab, start, end);
}

/**
 * Writes each sampled span as it ends and hands the bytes to `batch`, a BatchSpanProcessor
 * whose exporter is createProtobufSpanExporter()'s.
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private warned = false;

  constructor(private readonly batch: SpanProcessor) {}

  onStart(_span: Span): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    let queued: QueuedSpan;
    try {
      queued = encodeSpan(span, queue);
    } catch (err) {
      if (!this.warned) diag.warn(`otelkit: a span could not be encoded for export and was dropped (${(err as Error).message}); reported once.`);
      this.warned = true;
      return;
    }
    this.batch.onEnd(queued as unknown as ReadableSpan);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }
}

/** The exporter of an EncodingSpanProcessor's batch: it sends spans written by encodeSpan(). */
export function createProtobufSpanExporter(options: { url: string; timeoutMillis?: number; httpAgentOptions?: unknown }, selfObsMeterProvider?: MeterProvider): SpanExporter {
  const { OTLPExporterBase } = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
  const { createOtlpHttpExportDelegate, convertLegacyHttpOptions } = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
  const { ProtobufTraceSerializer, TraceExporterMetricsHelper: stock } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const serializer: ISerializer<EncodedSpan[], IExportTraceServiceResponse> = {
    serializeRequest: (spans) => encodeRequest(spans),
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
  // The stock helper's (it counts the items of a request), typed for encoded spans.
  const metricsHelper: IExporterMetricsHelper<EncodedSpan[]> = { name: stock.name, countItems: (spans) => spans.length };
  const http = convertLegacyHttpOptions(options as Parameters<typeof convertLegacyHttpOptions>[0], 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const delegate = createOtlpHttpExportDelegate(http, serializer, COMPONENT_TYPE, metricsHelper, selfObsMeterProvider);
  return new OTLPExporterBase<EncodedSpan[]>(delegate) as unknown as SpanExporter;
}
