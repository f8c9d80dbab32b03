/**
 * The SDK Span's behaviour, for the spans otelkit's tracer makes (tracer.ts): the SDK's
 * SpanImpl only takes attributes the Tracer has already cleaned twice, so a span made here
 * takes its attributes cleaned once, or as they are when otelkit built them itself.
 *
 * Everything a span does after it starts is the SDK Span's, with the SDK's parts: its span
 * processors see it start, end and ending in their order, the span limits apply, and what
 * code does to a span (attributes, events, exceptions, links, status, name) goes through
 * the same checks as in the SDK's Span (`@opentelemetry/core`'s maybeAddAttribute,
 * cleanAttributes, cleanSimpleAttributes). test/sdk/conformance.test.mjs,
 * test/tracing/tracer.test.mjs and test/requests/server-span.test.mjs compare what is
 * exported with the stock SDK's.
 */
import {
  diag, SpanKind, SpanStatusCode,
  type Attributes, type AttributeValue, type Context, type Exception, type HrTime, type Link, type Span,
  type SpanContext, type SpanStatus, type TimeInput,
} from '@opentelemetry/api';
import {
  AddAttributeDecision, addHrTimes, cleanAttributes, cleanSimpleAttributes, hrTime, hrTimeDuration, isTimeInput, isTimeInputHrTime,
  maybeAddAttribute, millisToHrTime, type InstrumentationScope,
} from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanLimits, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';

export type Limits = Required<SpanLimits>;

/** The limits with the TracerProvider's defaults filled in. */
export function withDefaults(limits: SpanLimits): Limits {
  return {
    attributeCountLimit: limits.attributeCountLimit ?? 128,
    attributeValueLengthLimit: limits.attributeValueLengthLimit ?? Infinity,
    eventCountLimit: limits.eventCountLimit ?? 128,
    linkCountLimit: limits.linkCountLimit ?? 128,
    attributePerEventCountLimit: limits.attributePerEventCountLimit ?? 128,
    attributePerLinkCountLimit: limits.attributePerLinkCountLimit ?? 128,
  };
}

/** What every span of one tracer shares. */
export interface Shared {
  readonly processors: readonly SpanProcessor[];
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly limits: Limits;
}

/** A span's start: the attributes are the span's own object from here on. */
export interface SpanStart {
  readonly context: SpanContext;
  readonly parent: SpanContext | undefined;
  readonly name: string;
  readonly kind: SpanKind;
  readonly attributes: Attributes;
  readonly attributesCount: number;
  readonly droppedAttributesCount: number;
  readonly links: Link[];
  readonly startTime: TimeInput | undefined;
}

/** The SDK's TimeInput reading: a number no later than performance.now() is a performance timestamp. */
function timeOf(input: TimeInput | undefined, span: RecordingSpan): HrTime {
  if (typeof input === 'number') return input <= performance.now() ? hrTime(input + span.offsetMs) : millisToHrTime(input);
  if (input instanceof Date) return millisToHrTime(input.getTime());
  if (isTimeInputHrTime(input)) return input;
  if (span.startTimeProvided) return millisToHrTime(Date.now());
  return addHrTimes(span.startTime, millisToHrTime(performance.now() - span.startPerf));
}

export class RecordingSpan implements Span, ReadableSpan {
  readonly kind: SpanKind;
  readonly startTime: HrTime;
  readonly attributes: Attributes;
  readonly parentSpanContext: SpanContext | undefined;
  name: string;
  links: Link[];
  events: TimedEvent[] = [];
  endTime: HrTime = [0, 0];
  duration: HrTime = [-1, -1];
  status: SpanStatus = { code: SpanStatusCode.UNSET };
  ended = false;
  droppedAttributesCount: number;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributesCount: number;
  /** performance.now() at the start, and wall-clock minus performance-timeline milliseconds, as the SDK's Span keeps them. */
  readonly startPerf = performance.now();
  readonly offsetMs: number;
  readonly startTimeProvided: boolean;
  private readonly context: SpanContext;

  constructor(private readonly shared: Shared, start: SpanStart, parentContext: Context) {
    const now = Date.now();
    this.offsetMs = now - (this.startPerf + performance.timeOrigin);
    this.context = start.context;
    this.parentSpanContext = start.parent;
    this.name = start.name;
    this.kind = start.kind;
    this.startTimeProvided = start.startTime != null;
    this.startTime = timeOf(start.startTime ?? now, this);
    const { linkCountLimit } = shared.limits;
    if (start.links.length > linkCountLimit) {
      this.links = start.links.slice(start.links.length - linkCountLimit);
      this.droppedLinksCount = start.links.length - linkCountLimit;
    } else {
      this.links = start.links;
    }
    this.attributes = start.attributes;
    this.attributesCount = start.attributesCount;
    this.droppedAttributesCount = start.droppedAttributesCount;
    for (const processor of shared.processors) processor.onStart(this, parentContext);
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
      time: timeOf(time, this),
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
    this.endTime = timeOf(endTime, this);
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    if (this.duration[0] < 0) {
      diag.warn('Inconsistent start and end time, startTime > endTime. Setting span duration to 0ms.', this.startTime, this.endTime);
      this.endTime = this.startTime.slice() as HrTime;
      this.duration = [0, 0];
    }
    if (this.droppedEventsCount > 0) diag.warn(`Dropped ${this.droppedEventsCount} events because eventCountLimit reached`);
    if (this.droppedLinksCount > 0) diag.warn(`Dropped ${this.droppedLinksCount} links because linkCountLimit reached`);
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
