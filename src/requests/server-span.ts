/**
 * The server span of an HTTP request, made here rather than by the SDK Tracer. It is the one
 * span every request pays for, and the Tracer cleans the attributes it is given twice
 * (each value checked with a fresh WeakSet) and stores them one keyed write at a time;
 * here the attributes otelkit builds (known keys, valid values) become the span's own
 * object as they are (docs/ARCHITECTURE.md has the measured cost).
 *
 * Everything else is the SDK's behaviour, with the SDK's parts: the tracer provider's
 * sampler and id generator decide and name the span, its span processors see it start,
 * end and ending in their order, the span limits apply, and what application code does to
 * the active span (attributes, events, exceptions, links, status, name) goes through the
 * same checks as in the SDK's Span (`@opentelemetry/core`'s maybeAddAttribute,
 * cleanAttributes, cleanSimpleAttributes). test/sdk/conformance.test.mjs and
 * test/requests/server-span.test.mjs compare what is exported with the stock SDK's.
 */
import {
  diag, INVALID_SPAN_CONTEXT, SamplingDecision, SpanKind, SpanStatusCode, TraceFlags, trace,
  type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span,
  type SpanContext, type SpanStatus, type TimeInput,
} from '@opentelemetry/api';
import {
  AddAttributeDecision, addHrTimes, cleanAttributes, cleanSimpleAttributes, hrTime, hrTimeDuration, isTimeInput, isTimeInputHrTime,
  isTracingSuppressed, maybeAddAttribute, millisToHrTime, type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { IdGenerator, ReadableSpan, Sampler, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

export interface ServerSpanOptions {
  readonly sampler: Sampler;
  readonly idGenerator: IdGenerator;
  /** The tracer provider's processors, in its order. */
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: SpanLimits;
}

/** Starts a server span. `attributes` becomes the span's own object: valid values, none undefined. */
export type StartServerSpan = (name: string, attributes: Attributes, parent: Context) => Span;

type Limits = Required<SpanLimits>;

/** The limits with the TracerProvider's defaults filled in. */
function withDefaults(limits: SpanLimits): Limits {
  return {
    attributeCountLimit: limits.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? Infinity,
    eventCountLimit: limits.eventCountLimit ?? 128,
    linkCountLimit: limits.linkCountLimit ?? 128,
    attributePerEventCountLimit: limits.attributePerEventCountLimit ?? 128,
    attributePerLinkCountLimit: limits.attributePerLinkCountLimit ?? 128,
  };
}

interface Shared {
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: Limits;
}

export function serverSpans(options: ServerSpanOptions): StartServerSpan {
  const shared: Shared = { processors: options.processors, resource: options.resource, scope: options.scope, limits: withDefaults(options.limits) };
  const { sampler, idGenerator } = options;
  return function startServerSpan(name, attributes, parent) {
    if (isTracingSuppressed(parent)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parentContext = trace.getSpanContext(parent);
    const validParent = parentContext !== undefined && trace.isSpanContextValid(parentContext) ? parentContext : undefined;
    const spanId = idGenerator.generateSpanId();
    const traceId = validParent?.traceId ?? idGenerator.generateTraceId();
    const result = sampler.shouldSample(parent, traceId, name, SpanKind.SERVER, attributes, []);
    const traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext: SpanContext = { traceId, spanId, traceFlags, traceState: result.traceState ?? validParent?.traceState };
    if (result.decision === SamplingDecision.NOT_RECORD) return trace.wrapSpanContext(spanContext);
    const span = new ServerSpan(shared, spanContext, validParent, name, attributes);
    if (result.attributes !== undefined) span.setAttributes(result.attributes);
    for (const processor of shared.processors) processor.onStart(span, parent);
    return span;
  };
}

/** The SDK's TimeInput reading: a number no later than performance.now() is a performance timestamp. */
function timeOf(input: TimeInput | undefined, startTime: HrTime, startPerf: number, offsetMs: number): HrTime {
  if (typeof input === 'number') return input <= performance.now() ? hrTime(input + offsetMs) : millisToHrTime(input);
  if (input instanceof Date) return millisToHrTime(input.getTime());
  if (isTimeInputHrTime(input)) return input;
  return addHrTimes(startTime, millisToHrTime(performance.now() - startPerf));
}

class ServerSpan implements Span, ReadableSpan {
  readonly kind = SpanKind.SERVER;
  readonly startTime: HrTime;
  readonly attributes: Attributes;
  links: Link[] = [];
  events: TimedEvent[] = [];
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributesCount: number;
  private readonly startPerf = performance.now();
  /** Wall-clock minus performance-timeline milliseconds, as the SDK's Span keeps it. */
  private readonly offsetMs: number;

  constructor(
    private readonly shared: Shared,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    public name: string,
    attributes: Attributes,
  ) {
    const now = Date.now();
    this.offsetMs = now - (this.startPerf + performance.timeOrigin);
    this.startTime = millisToHrTime(now);
    const count = Object.keys(attributes).length;
    const { attributeCountLimit, attributeValueLengthLimit } = shared.limits;
    if (count <= attributeCountLimit && attributeValueLengthLimit === Infinity) {
      this.attributes = attributes;
      this.attributesCount = count;
    } else {
      this.attributes = {};
      this.attributesCount = 0;
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
    if (this.endedWarning()) return this;
    const decision = maybeAddAttribute({ key, value, attributes: this.attributes as Record<string, AttributeValue>, limits: this.shared.limits, currentAttributesCount: this.attributesCount });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) {
      this.droppedAttributesCount++;
      if (this.droppedAttributesCount === 1) diag.warn('Dropping extra attributes.');
    } else if (decision === AddAttributeDecision.ADD_NEW) {
      this.attributesCount++;
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]);
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.endedWarning()) return this;
    const { eventCountLimit, attributePerEventCountLimit, attributeValueLengthLimit } = this.shared.limits;
    if (eventCountLimit === 0) {
      diag.warn('No events allowed.');
      this.droppedEventsCount++;
      return this;
    }
    if (this.events.length >= eventCountLimit) {
      this.events.shift();
      this.droppedEventsCount++;
    }
    if (isTimeInput(attributesOrTime)) {
      if (!isTimeInput(time)) time = attributesOrTime;
      attributesOrTime = undefined;
    }
    this.events.push({
      name,
      time: timeOf(time, this.startTime, this.startPerf, this.offsetMs),
      ...cleanSimpleAttributes(attributesOrTime, { attributeCountLimit: attributePerEventCountLimit, attributeValueLengthLimit }),
    });
    return this;
  }

  addLink(link: Link): this {
    if (this.endedWarning()) return this;
    const { linkCountLimit, attributePerLinkCountLimit, attributeValueLengthLimit } = this.shared.limits;
    if (linkCountLimit === 0) {
      this.droppedLinksCount++;
      return this;
    }
    if (this.links.length >= linkCountLimit) {
      this.links.shift();
      this.droppedLinksCount++;
    }
    this.links.push({ context: link.context, ...cleanAttributes(link.attributes, { attributeCountLimit: attributePerLinkCountLimit, attributeValueLengthLimit }) });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endedWarning() || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    const next: SpanStatus = { code: status.code };
    if (status.code === SpanStatusCode.ERROR) {
      if (typeof status.message === 'string') next.message = status.message;
      else if (status.message != null) diag.warn(`Dropping invalid status.message of type '${typeof status.message}', expected 'string'`);
    }
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
    this.endTime = timeOf(endTime, this.startTime, this.startPerf, this.offsetMs);
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

  private endedWarning(): boolean {
    if (this.ended) diag.warn(`Cannot execute the operation on ended Span {traceId: ${this.context.traceId}, spanId: ${this.context.spanId}}`);
    return this.ended;
  }
}
