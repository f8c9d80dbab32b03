/**
 * Masks secrets in every span as it ends, before any exporter sees it: attributes (an
 * outgoing call's url.full and url.query keep their parameter names, not the token
 * values), exception events (an error message quoting a connection string, a database
 * error quoting the statement it rejected — on whatever span recorded it) and the status
 * message, by the one rule set (rules.ts). Runs in onEnding, while the span can still be changed, after the
 * database processor, whose normalised statements it leaves alone. Never throws into the
 * code that ended the span.
 */
import { SpanStatusCode, type AttributeValue, type Context } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { maskText } from './rules';
import { reportError } from '../guard';
import { redactAttributes, redactedEntries } from './attributes';

export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      for (const [key, value] of redactedEntries(span.attributes)) span.setAttribute(key, value as AttributeValue);
      // Events have no setter in the Span API: their attribute maps are masked in place.
      for (const event of span.events) redactAttributes(event.attributes as Record<string, unknown> | undefined);
      const { code, message } = span.status;
      if (code === SpanStatusCode.ERROR && typeof message === 'string' && message !== '') {
        const clean = maskText(message);
        if (clean !== message) span.setStatus({ code, message: clean });
      }
    } catch (err) {
      reportError('otelkit:secrets onEnding', err);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
