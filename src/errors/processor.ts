/**
 * Failed spans into the error store: every `exception` event of a span (at most
 * MAX_EXCEPTIONS_PER_SPAN), and a server span answered with a 5xx status that carries no
 * exception. Hot path: a span without events that is not a server span costs two
 * property reads; a server span one attribute read and, while exceptions wait for their
 * request, one Map lookup. Never throws into the code that ended the span.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reportError } from '../guard';
import { exceptionOccurrence, statusOccurrence } from './occurrence';
import type { ErrorStore, Where } from './store';

export const MAX_EXCEPTIONS_PER_SPAN = 4;

export class ErrorSpanProcessor implements SpanProcessor {
  constructor(private readonly store: ErrorStore) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    try {
      if (span.kind === SpanKind.SERVER) this.onServerEnd(span);
      else if (span.events.length > 0) this.recordExceptions(span, { operation: span.name, traceId: span.spanContext().traceId });
    } catch (err) {
      reportError('otelkit:errors onEnd', err);
    }
  }

  private onServerEnd(span: ReadableSpan): void {
    const attrs = span.attributes;
    const status = attrs['http.response.status_code'];
    const failed = typeof status === 'number' && status >= 500;
    const { traceId } = span.spanContext();
    const route = typeof attrs['http.route'] === 'string' ? attrs['http.route'] : undefined;
    const requestId = typeof attrs['request.id'] === 'string' ? attrs['request.id'] : null;
    this.store.requestEnded(traceId, route, requestId);
    if (!failed && span.events.length === 0) return;
    const where: Where = { operation: span.name, traceId, route, requestId };
    if (this.recordExceptions(span, where) === 0 && failed) this.store.record(statusOccurrence(status), where);
  }

  /** Records the span's exception events; returns how many there were. */
  private recordExceptions(span: ReadableSpan, where: Where): number {
    let n = 0;
    for (const event of span.events) {
      if (event.name !== 'exception') continue;
      if (n++ >= MAX_EXCEPTIONS_PER_SPAN) break;
      this.store.record(exceptionOccurrence(event.attributes), where);
    }
    return n;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
