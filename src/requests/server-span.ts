/**
 * The server span of an HTTP request, made here rather than by the SDK Tracer. It is the one
 * span every request pays for, and the SDK's generic path validates its attributes three
 * times (twice in the Tracer, once in the Span) and stores them one keyed write at a time.
 * Here the attributes otelkit builds (known keys, valid values) become the span's attribute
 * object as they are, and the start and end readings of the request path are its times:
 * 2.8–3.6 µs → 1.3–1.5 µs per span on this project's test machine (`node bench/span-path.mjs`).
 *
 * Everything else is the SDK's behaviour, with the SDK's own parts: the configured sampler
 * and id generator decide and name the span, the provider's span processors (APM, slow
 * queries, export) see it start and end, the span limits apply, and what application code
 * does to the active span (setAttribute, addEvent, recordException, setStatus, links) is
 * validated as the SDK validates it.
 */
import {
  diag, INVALID_SPAN_CONTEXT, SamplingDecision, SpanKind, SpanStatusCode, TraceFlags, trace,
  type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span,
  type SpanContext, type SpanStatus, type TimeInput,
} from '@opentelemetry/api';
import {
  addHrTimes, hrTimeDuration, isAttributeValue, isTimeInput, isTimeInputHrTime, isTracingSuppressed,
  millisToHrTime, sanitizeAttributes, type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { IdGenerator, ReadableSpan, Sampler, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';

export interface ServerSpanOptions {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  /** The tracer provider's processors, in its order. */
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: SpanLimits;
}

/**
 * Starts a server span. `attributes` becomes the span's own object (do not reuse it); its
 * values must be valid attribute values, none undefined.
 */
export type StartServerSpan = (name: string, attributes: Attributes, parent: Context, startPerfMs: number) => Span;

interface Shared extends ServerSpanOptions {
  readonly limits: Required<SpanLimits>;
}

/** SpanLimits with the TracerProvider's defaults filled in. */
function withDefaults(limits: SpanLimits): Required<SpanLimits> {
  return {
    attributeCountLimit: limits.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? Infinity,
    eventCountLimit: limits.eventCountLimit ?? 128,
    linkCountLimit: limits.linkCountLimit ?? 128,
    attributePerEventCountLimit: limits.attributePerEventCountLimit ?? 128,
    attributePerLinkCountLimit: limits.attributePerLinkCountLimit ?? 128,
  };
}

export function serverSpans(options: ServerSpanOptions): StartServerSpan {
  const shared: Shared = { ...options, limits: withDefaults(options.limits) };
  const { sampler, idGenerator, processors } = shared;

  return function startServerSpan(name, attributes, parent, startPerfMs) {
    if (isTracingSuppressed(parent)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parentSpanContext = trace.getSpanContext(parent);
    const spanId = idGenerator.generateSpanId();
    const validParent = parentSpanContext !== undefined && trace.isSpanContextValid(parentSpanContext) ? parentSpanContext : undefined;
    const traceId = validParent?.traceId ?? idGenerator.generateTraceId();

    const result = sampler.shouldSample(parent, traceId, name, SpanKind.SERVER, attributes, []);
    const traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext: SpanContext = { traceId, spanId, traceFlags, traceState: result.traceState ?? validParent?.traceState };
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);

    const span = new ServerSpan(shared, spanContext, validParent, name, attributes, startPerfMs);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    for (const processor of processors) processor.onStart(span, parent);
    return span;
  };
}

// Most server spans never get an event or a link: they share these until one is added
// (frozen, so a stray push fails loudly instead of reaching every span).
const NO_EVENTS = Object.freeze([]) as unknown as TimedEvent[];
const NO_LINKS = Object.freeze([]) as unknown as Link[];
const NOT_ENDED: HrTime = Object.freeze([0, 0]) as unknown as HrTime;
const NO_DURATION: HrTime = Object.freeze([-1, -1]) as unknown as HrTime;
const UNSET: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });

/**
 * Adds to an event or link list bounded as the SDK bounds it: when full, the oldest entry
 * gives way; with a limit of 0 nothing is added. A frozen (shared, empty) list is replaced.
 */
function appendBounded<T>(list: T[], item: T, limit: number): { list: T[]; dropped: number } {
  if (limit <= 0) return { list, dropped: 1 };
  const next = Object.isFrozen(list) ? [] : list;
  let dropped = 0;
  if (next.length >= limit) {
    next.shift();
    dropped = 1;
  }
  next.push(item);
  return { list: next, dropped };
}

class ServerSpan implements Span, ReadableSpan {
  readonly kind = SpanKind.SERVER;
  readonly startTime: HrTime;
  readonly attributes: Attributes;
  links = NO_LINKS;
  events = NO_EVENTS;
  endTime = NOT_ENDED;
  duration = NO_DURATION;
  status = UNSET;
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;
  /** Wall-clock milliseconds minus performance.now() milliseconds, at the start. */
  private readonly clockOffsetMs: number;

  constructor(
    private readonly shared: Shared,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    public name: string,
    attributes: Attributes,
    private readonly startPerfMs: number,
  ) {
    const epochMs = Date.now();
    this.clockOffsetMs = epochMs - startPerfMs;
    this.startTime = millisToHrTime(epochMs);
    // Taken as built unless a span limit would cut it.
    const count = Object.keys(attributes).length;
    const { attributeCountLimit, attributeValueLengthLimit } = shared.limits;
    if (count <= attributeCountLimit && attributeValueLengthLimit === Infinity) {
      this.attributes = attributes;
      this.attributeCount = count;
    } else {
      this.attributes = {};
      this.setAttributes(attributes);
    }
  }

  get resource(): Resource {
    return this.shared.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.shared.scope;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (value == null || this.endedWarning()) return this;
    if (key.length === 0) {
      diag.warn(`Invalid attribute key: ${key}`);
      return this;
    }
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const isNew = !Object.prototype.hasOwnProperty.call(this.attributes, key);
    if (isNew && this.attributeCount >= this.shared.limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    (this.attributes as Record<string, AttributeValue>)[key] = this.truncate(value);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endedWarning()) return this;
    const { eventCountLimit, attributePerEventCountLimit } = this.shared.limits;
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
      attributesOrTime = undefined;
    }
    const { kept, dropped } = this.bounded(sanitizeAttributes(attributesOrTime), attributePerEventCountLimit);
    const added = appendBounded(this.events, { name, attributes: kept, time: this.hrTimeOf(time), droppedAttributesCount: dropped }, eventCountLimit);
    this.events = added.list;
    this.droppedEventsCount += added.dropped;
    return this;
  }

  addLink(link: Link): this {
    if (this.endedWarning()) return this;
    const { linkCountLimit, attributePerLinkCountLimit } = this.shared.limits;
    const { kept, dropped } = this.bounded(sanitizeAttributes(link.attributes), attributePerLinkCountLimit);
    const stored: Link = { context: link.context };
    if (Object.keys(kept).length > 0) stored.attributes = kept;
    if (dropped > 0) stored.droppedAttributesCount = dropped;
    const added = appendBounded(this.links, stored, linkCountLimit);
    this.links = added.list;
    this.droppedLinksCount += added.dropped;
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endedWarning() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR && typeof status.message === 'string') next.message = status.message;
    this.status = next;
    return this;
  }

  updateName(name: string): this {
    if (!this.endedWarning()) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes['exception.message'] = exception;
    } else if (exception) {
      const { code, name, message, stack } = exception as { code?: string | number; name?: string; message?: string; stack?: string };
      if (code) attributes['exception.type'] = code.toString();
      else if (name) attributes['exception.type'] = name;
      if (message) attributes['exception.message'] = message;
      if (stack) attributes['exception.stacktrace'] = stack;
    }
    if (attributes['exception.type'] || attributes['exception.message']) this.addEvent('exception', attributes, time);
    else diag.warn(`Failed to record an exception ${String(exception)}`);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    this.endTime = this.hrTimeOf(endTime);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      this.endTime = this.startTime.slice() as HrTime;
      this.duration = [0, 0];
    }
    const { processors } = this.shared;
    for (const processor of processors) processor.onEnding?.(this);
    this.ended = true;
    for (const processor of processors) processor.onEnd(this);
  }

  /** The SDK's reading of a TimeInput; none means now. */
  private hrTimeOf(input: TimeInput | undefined): HrTime {
    if (typeof input === 'number') {
      // A number no later than performance.now() is a performance timestamp.
      return millisToHrTime(input <= performance.now() ? input + this.clockOffsetMs : input);
    }
    if (input instanceof Date) return millisToHrTime(input.getTime());
    if (isTimeInputHrTime(input)) return input;
    return addHrTimes(this.startTime, millisToHrTime(performance.now() - this.startPerfMs));
  }

  private truncate(value: AttributeValue): AttributeValue {
    const limit = this.shared.limits.attributeValueLengthLimit;
    if (limit === Infinity || limit <= 0) return value;
    if (typeof value === 'string') return value.length <= limit ? value : value.substring(0, limit);
    if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' && v.length > limit ? v.substring(0, limit) : v)) as AttributeValue;
    return value;
  }

  private bounded(attributes: Attributes, limit: number): { kept: Attributes; dropped: number } {
    const kept: Attributes = {};
    let count = 0;
    let dropped = 0;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (value === undefined) continue;
      if (count >= limit) dropped++;
      else {
        kept[key] = this.truncate(value);
        count++;
      }
    }
    return { kept, dropped };
  }

  private endedWarning(): boolean {
    if (this.ended) diag.warn(`Cannot execute the operation on ended Span {traceId: ${this.context.traceId}, spanId: ${this.context.spanId}}`);
    return this.ended;
  }
}
