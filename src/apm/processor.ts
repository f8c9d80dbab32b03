/**
 * The APM span processor: every finished span becomes one record in ApmStats. Hot path:
 * one Map.get by span name, arithmetic, one array push for an operation's first 100 calls
 * and one sketch insert after — no string building. Never throws into the span's caller.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reportError } from '../guard';
import type { ApmStats } from './stats';

/**
 * A failed call: status ERROR, or an exception recorded on a span whose status says
 * nothing (some instrumentations record the exception that escapes a layer, Koa's router
 * for one, without setting the status).
 */
function failed(span: ReadableSpan): boolean {
  const code = span.status.code;
  if (code !== SpanStatusCode.UNSET) return code === SpanStatusCode.ERROR;
  const events = span.events;
  for (let i = 0; i < events.length; i++) if (events[i].name === 'exception') return true;
  return false;
}

export class ApmSpanProcessor implements SpanProcessor {
  constructor(private readonly stats: ApmStats) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    try {
      const stats = this.stats;
      let op = stats.byName[span.kind]?.get(span.name);
      if (op === undefined) op = stats.resolve(span);
      if (op.overflow) stats.overflowed++;
      const d = span.duration;
      op.record(d[0] * 1e3 + d[1] / 1e6, failed(span));
    } catch (err) {
      reportError('otelkit:apm onEnd', err);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
