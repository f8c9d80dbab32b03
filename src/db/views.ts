/**
 * Metric views for database client metrics. The pg instrumentation labels
 * `db.client.operation.duration` with `db.operation.name` parsed from the statement text
 * up to its first space, so `/*secret*\/SELECT 1`, `SELECT\t'secret'` or `SELECT'secret'`
 * put the literal into a label (`db_client_operation_duration_seconds{db_operation_name}`)
 * and every variant made one more series. The view's attributes processor maps the label
 * to a known operation (keywords.ts): kept when it is one, else the operation of the text
 * normalised (`/*SECRET*\/SELECT` → SELECT), else `_OTHER`, in upper case. At most
 * 3 × |known| + 1 values (a command alone or in a MULTI or PIPELINE).
 */
import type { Attributes } from '@opentelemetry/api';
import type { IAttributesProcessor, ViewOptions } from '@opentelemetry/sdk-metrics';
import { KNOWN_OPERATIONS } from './keywords';
import { normalizeStatement } from './normalize';
import { Lru } from './lru';
import { reportError } from '../guard';

const OPERATION = 'db.operation.name';
export const OTHER_OPERATION = '_OTHER';
/** Memo of label values seen (bounded); longer values are mapped every time. */
const memo = new Lru<string, string>(512);
const MEMO_MAX_KEY = 64;

/** A known operation for a label value taken from statement text, or _OTHER. */
export function boundedOperation(value: string): string {
  const hit = memo.get(value);
  if (hit !== undefined) return hit;
  const out = map(value);
  if (value.length <= MEMO_MAX_KEY) memo.set(value, out);
  return out;
}

function map(value: string): string {
  // `SELECT`, `get`, `MULTI get` / `PIPELINE get` (ioredis), `find` (mongodb): upper case.
  const upper = value.toUpperCase();
  if (KNOWN_OPERATIONS.has(upper)) return upper;
  const [batch, command, ...rest] = upper.split(' ');
  if ((batch === 'MULTI' || batch === 'PIPELINE') && command !== undefined && rest.length === 0 && KNOWN_OPERATIONS.has(command)) return upper;
  const op = normalizeStatement(value.slice(0, 1024), 'postgresql').operation;
  return KNOWN_OPERATIONS.has(op) ? op : OTHER_OPERATION;
}

const operationProcessor: IAttributesProcessor = {
  process(incoming: Attributes): Attributes {
    const value = incoming[OPERATION];
    if (typeof value !== 'string') return incoming;
    let bounded = OTHER_OPERATION;
    try {
      bounded = boundedOperation(value);
    } catch (err) {
      // Runs inside the driver's callback: never throws into it.
      reportError('otelkit:db metric view', err);
    }
    return bounded === value ? incoming : { ...incoming, [OPERATION]: bounded };
  },
};

/** Views that bound `db.operation.name` on every `db.client.*` instrument. */
export function dbMetricViews(): ViewOptions[] {
  return [{ instrumentName: 'db.client.*', attributesProcessors: [operationProcessor] }];
}
