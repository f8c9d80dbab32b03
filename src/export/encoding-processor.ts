/**
 * The SDK's BatchSpanProcessor (queue limit, batch size, delay, export timeout, dropped-span
 * counting and its self-observability metrics, all unchanged) fed with spans encoded as they
 * end, for the OTLP/protobuf exporter whose serializer takes them (span-encoder.ts). What
 * waits for the batch is a few hundred bytes per span instead of the span's object graph.
 */
import { TraceFlags } from '@opentelemetry/api';
import { globalErrorHandler } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { encodeSpan } from './span-encoder';

export class EncodingBatchSpanProcessor extends BatchSpanProcessor {
  override onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    super.onEnd(encodeOrKeep(span));
  }
}

/** A span the encoder cannot write is queued as it is: the export then reports the failure. */
function encodeOrKeep(span: ReadableSpan): ReadableSpan {
  try {
    return encodeSpan(span) as unknown as ReadableSpan;
  } catch (err) {
    globalErrorHandler(err as Error);
    return span;
  }
}
