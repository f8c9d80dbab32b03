/**
 * The tracer provider otelkit registers: the SDK's TracerProvider, whose tracers start
 * spans as the SDK's Tracer does, with the provider's sampler, id generator, limits and
 * processors, and clean the attributes they are given once where the SDK cleans them twice
 * (once without limits for the sampler, once with limits for the span, each value checked
 * with a fresh WeakSet). When the sampler adds attributes, or the limits would drop or
 * shorten any, the second cleaning runs as in the SDK. A query span of the pg
 * instrumentation cost ~30 k instructions to start through the SDK's Tracer
 * (docs/ARCHITECTURE.md has the figures).
 *
 * otelkit's own server span takes its attributes as built (startTrusted): known keys,
 * valid values.
 */
import {
  context as contextApi, diag, INVALID_SPAN_CONTEXT, SamplingDecision, SpanKind, TraceFlags, trace,
  type Attributes, type Context, type Link, type Span, type SpanContext, type SpanOptions, type Tracer as ApiTracer, type TracerOptions,
} from '@opentelemetry/api';
import { cleanAttributes, isTracingSuppressed, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { TracerProvider, type IdGenerator, type Sampler, type SpanLimits, type SpanProcessor, type TracerProviderOptions } from '@opentelemetry/sdk-trace';
import { RecordingSpan, withDefaults, type Limits, type Shared, type SpanStart } from './span';

const NO_LIMITS = { attributeCountLimit: Infinity, attributeValueLengthLimit: Infinity };

interface Parts {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly limits: Limits;
}

export interface OtelkitTracerConfig extends TracerProviderOptions {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  readonly resource: Resource;
  readonly spanLimits: SpanLimits;
  readonly spanProcessors: SpanProcessor[];
}

export class OtelkitTracerProvider extends TracerProvider {
  private readonly parts: Parts;
  private readonly tracers = new Map<string, Tracer>();

  constructor(config: OtelkitTracerConfig) {
    super(config);
    this.parts = { ...config, processors: config.spanProcessors, limits: withDefaults(config.spanLimits) };
  }

  override getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const key = `${name}@${version || ''}:${options?.schemaUrl || ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) this.tracers.set(key, (tracer = new Tracer(this.parts, { name, version, schemaUrl: options?.schemaUrl })));
    return tracer;
  }
}

/** Whether every value is within the limits as it is (nothing to drop or shorten). */
function withinLimits(attributes: Attributes, count: number, limits: Limits): boolean {
  if (count > limits.attributeCountLimit) return false;
  const length = limits.attributeValueLengthLimit;
  if (length === Infinity || length <= 0) return true;
  for (const key in attributes) if (longerThan(attributes[key], length)) return false;
  return true;
}

function longerThan(value: unknown, length: number): boolean {
  if (typeof value === 'string' || value instanceof Uint8Array) return value.length > length;
  if (Array.isArray(value)) return value.some((item) => longerThan(item, length));
  if (typeof value === 'object' && value !== null) return Object.values(value).some((item) => longerThan(item, length));
  return false;
}

export class Tracer implements ApiTracer {
  private readonly shared: Shared;

  constructor(private readonly parts: Parts, readonly instrumentationScope: InstrumentationScope) {
    this.shared = { processors: parts.processors, resource: parts.resource, scope: instrumentationScope, limits: parts.limits };
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = contextApi.active()): Span {
    if (options.root) ctx = trace.deleteSpan(ctx);
    const { limits } = this.parts;
    const links = (options.links ?? []).map((link) => ({
      context: link.context,
      ...cleanAttributes(link.attributes, { attributeCountLimit: limits.attributePerLinkCountLimit, attributeValueLengthLimit: limits.attributeValueLengthLimit }),
    }));
    const cleaned = options.attributes === undefined ? undefined : cleanAttributes(options.attributes, NO_LIMITS);
    return this.start(name, options.kind ?? SpanKind.INTERNAL, cleaned?.attributes ?? {}, cleaned?.droppedAttributesCount ?? 0, links, options.startTime, ctx, false);
  }

  /** A span whose attributes otelkit built: valid values under string keys, none undefined. */
  startTrusted(name: string, kind: SpanKind, attributes: Attributes, ctx: Context): Span {
    return this.start(name, kind, attributes, 0, [], undefined, ctx, true);
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: [F] | [SpanOptions, F] | [SpanOptions, Context, F]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = rest.length > 1 ? rest[0] as SpanOptions : undefined;
    const parent = (rest.length > 2 ? rest[1] as Context | undefined : undefined) ?? contextApi.active();
    const span = this.startSpan(name, options, parent);
    return contextApi.with(trace.setSpan(parent, span), fn as (span: Span) => ReturnType<F>, undefined, span);
  }

  private start(name: string, kind: SpanKind, attributes: Attributes, dropped: number, links: Link[], startTime: SpanOptions['startTime'], ctx: Context, trusted: boolean): Span {
    if (isTracingSuppressed(ctx)) {
      diag.debug('Instrumentation suppressed, returning Noop Span');
      return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    }
    const { sampler, idGenerator } = this.parts;
    const parentSpan = trace.getSpan(ctx);
    const parentContext = parentSpan?.spanContext();
    // A span of otelkit's tracers carries ids the id generator made: valid by construction.
    const validParent = parentContext !== undefined && (parentSpan instanceof RecordingSpan || trace.isSpanContextValid(parentContext)) ? parentContext : undefined;
    const spanId = idGenerator.generateSpanId();
    const traceId = validParent?.traceId ?? idGenerator.generateTraceId();
    const result = sampler.shouldSample(ctx, traceId, name, kind, attributes, links);
    const traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext: SpanContext = { traceId, spanId, traceFlags, traceState: result.traceState ?? validParent?.traceState };
    if (result.decision === SamplingDecision.NOT_RECORD) {
      diag.debug('Recording is off, propagating context in a non-recording span');
      return trace.wrapSpanContext(spanContext);
    }
    const limits = this.parts.limits;
    let count = Object.keys(attributes).length;
    if (result.attributes !== undefined || !withinLimits(attributes, count, limits)) {
      if (trusted) attributes = { ...attributes };
      const limited = cleanAttributes(Object.assign(attributes, result.attributes), limits);
      attributes = limited.attributes ?? {};
      dropped += limited.droppedAttributesCount ?? 0;
      count = Object.keys(attributes).length;
    }
    const start: SpanStart = { context: spanContext, parent: validParent, name, kind, attributes, attributesCount: count, droppedAttributesCount: dropped, links, startTime };
    return new RecordingSpan(this.shared, start, ctx);
  }
}
