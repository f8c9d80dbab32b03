/**
 * Whether the database refused a statement as written: a syntax error, or a name it does
 * not know (PostgreSQL's SQLSTATE class 42, "syntax error or access rule violation";
 * MySQL's parse and unknown-column errors) — what input concatenated into SQL produces.
 * The shape of such a statement cannot be trusted: a value may sit where the scan saw SQL.
 */
import type { Span } from '@opentelemetry/sdk-trace';

const REJECTED = /syntax error|error in your SQL syntax|unterminated (?:quoted|dollar-quoted) string|Unknown column|column "[^"\n]{0,200}" does not exist|\(code: 42[0-9A-Z]{3}\)/i;
const REJECTED_CODE = /^(?:42[0-9A-Z]{3}|ER_PARSE_ERROR|ER_BAD_FIELD_ERROR)$/;

/** An error (message or code) saying the database refused the statement. */
export function isRejection(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return typeof error === 'string' && REJECTED.test(error);
  const { message, code } = error as { message?: unknown; code?: unknown };
  return (typeof code === 'string' && REJECTED_CODE.test(code)) || (typeof message === 'string' && REJECTED.test(message));
}

/** A database client span whose error says the database refused its statement. */
export function rejectedByDatabase(span: Span): boolean {
  const type = span.attributes['error.type'];
  if (typeof type === 'string' && REJECTED_CODE.test(type)) return true;
  const message = span.status.message;
  if (typeof message === 'string' && REJECTED.test(message)) return true;
  for (const event of span.events) {
    const attrs = event.attributes;
    if (attrs === undefined) continue;
    const t = attrs['exception.type'];
    const m = attrs['exception.message'];
    if ((typeof t === 'string' && REJECTED_CODE.test(t)) || (typeof m === 'string' && REJECTED.test(m))) return true;
  }
  return false;
}
