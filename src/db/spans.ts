/** What otelkit reads from database client spans (stable and older semantic conventions). */
import type { Attributes } from '@opentelemetry/api';

export function dbSystemOf(attrs: Attributes): string | undefined {
  const v = attrs['db.system.name'] ?? attrs['db.system'];
  return typeof v === 'string' ? v : undefined;
}

export function dbNameOf(attrs: Attributes): string | null {
  const v = attrs['db.namespace'] ?? attrs['db.name'];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}

export function statementOf(attrs: Attributes): string | undefined {
  const v = attrs['db.query.text'] ?? attrs['db.statement'];
  return typeof v === 'string' ? v : undefined;
}

/** The keys whose values are statement text, rewritten to their normalised shape. */
export const QUERY_TEXT = 'db.query.text';
export const STATEMENT = 'db.statement';
