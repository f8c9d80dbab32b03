/**
 * Masks secrets in every log record before it is exported over OTLP. otelkit's own
 * logger redacts its lines already; this covers the records of the application's own
 * winston and pino loggers that their OpenTelemetry instrumentations send. The app's
 * loggers' own output (their console or files) is theirs and is not changed.
 */
import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { cleanField, sanitize } from '../logging/redact';
import { maskText } from './rules';
import { reportError } from '../guard';

export class RedactingLogRecordProcessor implements LogRecordProcessor {
  onEmit(record: ReadWriteLogRecord, _context?: Context): void {
    try {
      const body = record.body;
      if (typeof body === 'string') {
        const clean = maskText(body);
        if (clean !== body) record.setBody(clean);
      } else if (body !== null && typeof body === 'object') {
        record.setBody(sanitize(body) as typeof body);
      }
      const attributes = record.attributes as Record<string, unknown>;
      for (const key of Object.keys(attributes)) {
        const value = attributes[key];
        if (value === undefined || value === null || typeof value === 'boolean') continue;
        const clean = cleanField(key, value, new Set(), 0);
        if (clean !== value) record.setAttribute(key, clean as never);
      }
    } catch (err) {
      reportError('otelkit:secrets onEmit', err);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
