/**
 * ExportTraceServiceRequest (OTLP/protobuf) written straight from the SDK's finished spans.
 * The stock serializer first builds the whole request as objects (ids converted, every
 * attribute boxed) and then walks them again to write bytes; writing in one pass costs a
 * fraction of that per span (`node bench/otlp-encode.mjs`). Field numbers follow
 * opentelemetry/proto/trace/v1/trace.proto; values follow the stock serializer's mapping
 * (integers as int_value, kinds offset by one, flags with the is-remote bits).
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { ProtobufWriter } from './protobuf-writer';
import { KeyValueCache } from './key-value-cache';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

const writer = new ProtobufWriter();
const keyValues = new KeyValueCache();

/**
 * A finished span written as a ScopeSpans `spans` field (tag and length included), with
 * what its request groups it by. Its bytes are slab[start, end): a slab holds many spans'
 * bytes, so a queued span costs one small object, not a view of its own as well.
 */
export interface EncodedSpan {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly slab: Buffer;
  readonly start: number;
  readonly end: number;
}

/**
 * Writes one span for encodeRequest(); `make` gets the span and where its bytes are kept.
 * The span is passed rather than captured, so that `make` can be one function for all
 * spans instead of a closure made per span.
 */
export function encodeSpan<T>(span: ReadableSpan, make: (span: ReadableSpan, slab: Buffer, start: number, end: number) => T): T {
  writer.reset();
  writeSpan(span);
  const start = writer.keep();
  return make(span, writer.kept, start, start + writer.length);
}

/** ExportTraceServiceRequest of spans written by encodeSpan(), grouped by resource and scope. */
export function encodeRequest(spans: readonly EncodedSpan[]): Uint8Array {
  writer.reset();
  for (const [resource, scopes] of group(spans)) {
    const rs = writer.begin(1); // ResourceSpans resource_spans = 1
    const r = writer.begin(1); // Resource resource = 1
    writeAttributes(1, resource.attributes);
    writer.end(r);
    for (const scopeSpans of scopes.values()) {
      const scope = scopeSpans[0].instrumentationScope;
      const ss = writer.begin(2); // ScopeSpans scope_spans = 2
      writeScope(scope);
      for (const span of scopeSpans) writer.raw(span.slab, span.start, span.end);
      writer.string(3, scope.schemaUrl);
      writer.end(ss);
    }
    writer.string(3, resource.schemaUrl);
    writer.end(rs);
  }
  return writer.finish();
}

/** ExportTraceServiceRequest of finished spans: what the stock serializer writes. */
export function encodeSpans(spans: readonly ReadableSpan[]): Uint8Array {
  return encodeRequest(spans.map((span) => encodeSpan(span, encoded)));
}

function encoded(span: ReadableSpan, slab: Buffer, start: number, end: number): EncodedSpan {
  return { resource: span.resource, instrumentationScope: span.instrumentationScope, slab, start, end };
}

type Grouped = Pick<EncodedSpan, 'resource' | 'instrumentationScope'>;

/**
 * Spans by resource, then by scope. A tracer hands the same scope object to all its spans,
 * so the scope's name key is built once per object, not once per span.
 */
function group<T extends Grouped>(spans: readonly T[]): Map<Resource, Map<string, T[]>> {
  const byResource = new Map<Resource, Map<string, T[]>>();
  const keys = new Map<InstrumentationScope, string>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    const scope = span.instrumentationScope;
    let key = keys.get(scope);
    if (key === undefined) keys.set(scope, (key = `${scope.name}@${scope.version ?? ''}:${scope.schemaUrl ?? ''}`));
    const list = scopes.get(key);
    if (list === undefined) scopes.set(key, [span]);
    else list.push(span);
  }
  return byResource;
}

function writeScope(scope: InstrumentationScope): void {
  const s = writer.begin(1); // InstrumentationScope scope = 1
  writer.string(1, scope.name);
  writer.string(2, scope.version);
  writer.end(s);
}

function writeSpan(span: ReadableSpan): void {
  const ctx = span.spanContext();
  const at = writer.begin(2); // Span spans = 2 (of ScopeSpans)
  writer.hexBytes(1, ctx.traceId);
  writer.hexBytes(2, ctx.spanId);
  writer.string(3, ctx.traceState?.serialize());
  writer.hexBytes(4, span.parentSpanContext?.spanId);
  writer.string(5, span.name);
  writer.uint(6, span.kind + 1);
  writer.time(7, span.startTime);
  writer.time(8, span.endTime);
  writeAttributes(9, span.attributes);
  writer.uint(10, span.droppedAttributesCount);
  for (const event of span.events) writeEvent(event);
  writer.uint(12, span.droppedEventsCount);
  for (const link of span.links) {
    const l = writer.begin(13);
    writer.hexBytes(1, link.context.traceId);
    writer.hexBytes(2, link.context.spanId);
    writer.string(3, link.context.traceState?.serialize());
    writeAttributes(4, link.attributes ?? {});
    writer.uint(5, link.droppedAttributesCount ?? 0);
    writer.fixed32(6, flags(link.context.traceFlags, link.context.isRemote));
    writer.end(l);
  }
  writer.uint(14, span.droppedLinksCount);
  const status = writer.begin(15);
  writer.string(2, span.status.message);
  writer.uint(3, span.status.code);
  writer.end(status);
  writer.fixed32(16, flags(ctx.traceFlags, span.parentSpanContext?.isRemote));
  writer.end(at);
}

function writeEvent(event: TimedEvent): void {
  const e = writer.begin(11);
  writer.time(1, event.time as HrTime);
  writer.string(2, event.name);
  writeAttributes(3, event.attributes ?? {});
  writer.uint(4, event.droppedAttributesCount ?? 0);
  writer.end(e);
}

function flags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

function writeAttributes(field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined) continue;
    const pairs = keyValues.pairsOf(key);
    const known = pairs?.get(value);
    if (known !== undefined) {
      writer.bytes(field, known);
      continue;
    }
    const kv = writer.begin(field); // KeyValue
    writer.string(1, key);
    writeAnyValue(2, value);
    writer.end(kv);
    pairs?.remember(value, writer, kv);
  }
}

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

function writeAnyValue(field: number, value: unknown): void {
  // An AnyValue's oneof is written even when it holds the default value.
  const v = writer.begin(field);
  switch (typeof value) {
    case 'string':
      writer.string(1, value, true);
      break;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) writer.int(3, value, true);
      else writer.double(4, value);
      break;
    case 'boolean':
      writer.bool(2, value, true);
      break;
    default:
      if (value instanceof Uint8Array) {
        writer.bytes(7, value);
      } else if (Array.isArray(value)) {
        const arr = writer.begin(5); // ArrayValue array_value = 5
        for (const item of value) writeAnyValue(1, item);
        writer.end(arr);
      } else if (typeof value === 'object' && value !== null) {
        const list = writer.begin(6); // KeyValueList kvlist_value = 6
        for (const key in value) {
          if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
          const kv = writer.begin(1);
          writer.string(1, key);
          writeAnyValue(2, (value as Record<string, unknown>)[key]);
          writer.end(kv);
        }
        writer.end(list);
      }
  }
  writer.end(v);
}
