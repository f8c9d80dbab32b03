/**
 * Names of database calls come from the normalised statement only. The pg and mysql2
 * instrumentations name a span after the text up to its first space (`pg.query:SELECT
 * test`, `SELECT`), and that text carries a literal or a comment whenever none follows
 * the first word: `/*secret*\/SELECT 1`, `SELECT\t'secret'`, `SELECT'secret'` became span
 * names, APM operations and metric labels, one series per variant.
 *
 * A span name is rebuilt only when its first word was taken from the statement text and is
 * not the statement's operation: `pg.query:/*SECRET*\/SELECT test` → `pg.query:SELECT
 * test`, `SELECT\t'secret'` → `SELECT`. Names the application chose, named prepared
 * statements and the usual `pg.query:SELECT test` are kept as they are.
 */
import type { Normalized } from './normalize';

const PG_PREFIX = 'pg.query:';
/** An operation an instrumentation set from its API (`get`, `MULTI get`, `find`), not from text. */
const WORD_OPERATION = /^[A-Za-z][A-Za-z0-9_]{0,39}(?: [A-Za-z][A-Za-z0-9_]{0,39})?$/;

/** The span's new name, or undefined when it is safe as it is. */
export function safeSpanName(name: string, raw: string, n: Normalized): string | undefined {
  const prefix = name.startsWith(PG_PREFIX) ? PG_PREFIX : '';
  const op = n.operation;
  // The usual case, without allocating: the name's first word is the operation.
  const end = prefix.length + op.length;
  if (name.startsWith(op, prefix.length) && (name.length === end || name.charCodeAt(end) === 32)) return undefined;
  const space = name.indexOf(' ', prefix.length);
  const head = name.slice(prefix.length, space === -1 ? name.length : space);
  if (head.length === op.length && head.toUpperCase() === op) return undefined;
  if (!fromText(head, raw)) return undefined;
  return `${prefix}${op}${space === -1 ? '' : name.slice(space)}`;
}

/** The name's first word is the start of the statement text (as pg and mysql2 take it). */
function fromText(head: string, raw: string): boolean {
  if (head === '') return true;
  return raw.trimStart().slice(0, head.length).toUpperCase() === head.toUpperCase();
}

/** The operation of a call for labels: the instrumentation's own when it is a plain word, else the statement's. */
export function operationLabel(attribute: unknown, n: Pick<Normalized, 'operation'>): string {
  return typeof attribute === 'string' && WORD_OPERATION.test(attribute) ? attribute.toUpperCase() : n.operation;
}
