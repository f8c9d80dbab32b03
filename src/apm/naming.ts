/**
 * The operation a span counts under. HTTP server spans are already named
 * `METHOD /route/template` by otelkit (or the method alone when no route matched — never
 * the raw path); database client spans become `OPERATION target` (pg's
 * `pg.query:SELECT test` → `SELECT test`, an ioredis `get` → `GET redis`), the operation
 * taken from the instrumentation's own operation name when it is a plain word, else from
 * the normalised statement — never from raw text; every other span counts under its own
 * name. Computed once per distinct span name, not per span.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { dbSystemOf, statementOf } from '../db/spans';
import { normalizeStatement } from '../db/normalize';
import { operationLabel } from '../db/names';

export const MAX_OPERATION_LENGTH = 200;
const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'] as const;

export function kindName(kind: SpanKind): string {
  return KIND_NAMES[kind] ?? 'internal';
}

export function operationName(span: ReadableSpan): string {
  let name = span.name;
  if (span.kind === SpanKind.CLIENT) {
    const system = dbSystemOf(span.attributes);
    if (system !== undefined) name = dbOperation(span, system);
  }
  return name.length > MAX_OPERATION_LENGTH ? name.slice(0, MAX_OPERATION_LENGTH) : name;
}

function dbOperation(span: ReadableSpan, system: string): string {
  const name = span.name;
  // Renamed from the normalised statement by the database processor, which runs first.
  if (name.startsWith('pg.query:') && name.length > 9) return name.slice(9);
  const attrs = span.attributes;
  const op = attrs['db.operation.name'];
  const statement = statementOf(attrs);
  // A call without a statement (pg.connect, pg-pool.connect) keeps its own name.
  if (typeof op !== 'string' && statement === undefined) return name;
  const verb = statement === undefined ? operationLabel(op, OTHER) : operationLabel(op, normalizeStatement(statement, system));
  const target = attrs['db.collection.name'] ?? attrs['db.namespace'] ?? system;
  return `${verb} ${String(target)}`;
}

const OTHER = { operation: 'OTHER' } as const;
