/**
 * Masks secrets in every finished span before any exporter sees it: attributes (an
 * outgoing call's url.full and url.query keep their parameter names, not the token
 * values), exception events (an error message quoting a connection string) and the
 * status message. Runs after the database processor, whose normalised statements it
 * leaves alone. Never throws into the code that ended the span.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { redactString } from '../logging/redact';
import { reportError } from '../guard';
import { redactAttributes } from './attributes';

export class RedactingSpanProcessor implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    try {
      redactAttributes(span.attributes as Record<string, unknown>);
      for (const event of span.events) redactAttributes(event.attributes as Record<string, unknown> | undefined);
      const status = span.status;
      if (typeof status.message === 'string' && status.message !== '') {
        const message = redactString(status.message);
        if (message !== status.message) (span as { status: typeof status }).status = { code: status.code, message };
      }
    } catch (err) {
      reportError('otelkit:secrets onEnd', err);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
