/**
 * Makes a log value safe to write: secrets masked by otelkit's one rule set
 * (src/secrets/rules.ts: credential-like field names, secrets inside strings, SQL fields
 * reduced to their shape), errors turned into plain objects, and the result plain JSON
 * data (no cycles, no BigInt, bounded depth and breadth), so that JSON.stringify of it
 * can neither throw nor run away. In header arrays (`req.rawHeaders`), the value after a
 * sensitive header name is masked too.
 */
import { KeyRule, keyRule, maskText, REDACTED } from '../secrets/rules';
import { normalizeStatement, withhold } from '../db/normalize';
import { isRejection } from '../db/rejected';

export { isSensitiveKey, REDACTED } from '../secrets/rules';
/** The rules' text masking (kept under the logger's name). */
export const redactString = maskText;

const MAX_DEPTH = 8;
const MAX_KEYS = 200;
const MAX_ITEMS = 200;
/** db.system.name for SQL of unknown origin: "…" and \' are read the cautious way (as values). */
const UNKNOWN_SYSTEM = 'other_sql';

const SENSITIVE_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie)$/i;

/**
 * One field's value under the rules for its name; undefined when it is to be left out.
 * `rejected`: the field belongs to a database error refusing the statement (mysql2 errors
 * carry it as `sql`), whose shape therefore cannot be trusted either.
 */
export function cleanField(key: string, value: unknown, seen: Set<object>, depth: number, rejected = false): unknown {
  const rule = keyRule(key);
  if (rule === KeyRule.Redact) return value === undefined || value === null || typeof value === 'boolean' ? value : REDACTED;
  if (rule === KeyRule.Statement && typeof value === 'string') {
    const n = normalizeStatement(value, UNKNOWN_SYSTEM);
    return (rejected ? withhold(n, 'rejected by the database') : n).statement;
  }
  return sanitize(value, seen, depth);
}

/** The value is an error by which the database refused a statement. */
export function isDatabaseRejection(value: unknown): boolean {
  return value instanceof Error && isRejection(value);
}

/** An Error as plain data: name, message, stack, and its own fields (code, errno, cause…). */
export function errorToObject(err: Error, seen: Set<object> = new Set(), depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactString(String(err.message)) };
  if (typeof err.stack === 'string') out.stack = redactString(err.stack);
  seen.add(err);
  const rejected = isRejection(err);
  for (const key of Object.keys(err)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    out[key] = cleanField(key, (err as unknown as Record<string, unknown>)[key], seen, depth + 1, rejected);
  }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && !('cause' in out)) out.cause = sanitize(cause, seen, depth + 1);
  seen.delete(err);
  return out;
}

/** A redacted, JSON-safe copy of value. Never mutates the input; never throws for plain data. */
export function sanitize(value: unknown, seen: Set<object> = new Set(), depth = 0): unknown {
  switch (typeof value) {
    case 'string':
      return redactString(value);
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  if (seen.has(obj)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  if (obj instanceof Error) return errorToObject(obj, seen, depth);
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (Buffer.isBuffer(obj) || ArrayBuffer.isView(obj)) return `[${obj.constructor.name} ${(obj as ArrayBufferView).byteLength} bytes]`;
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return sanitizeArray(obj, seen, depth);
    if (obj instanceof Map) return sanitizeEntries(obj.entries(), obj.size, seen, depth);
    if (obj instanceof Set) return sanitizeArray([...obj].slice(0, MAX_ITEMS + 1), seen, depth);
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return sanitize(toJSON.call(obj), seen, depth + 1);
    return sanitizeEntries(Object.entries(obj), Object.keys(obj).length, seen, depth);
  } catch {
    return '[Unserializable]';
  } finally {
    seen.delete(obj);
  }
}

function sanitizeArray(items: readonly unknown[], seen: Set<object>, depth: number): unknown[] {
  const out: unknown[] = [];
  const n = Math.min(items.length, MAX_ITEMS);
  for (let i = 0; i < n; i++) {
    const item = items[i];
    // ['Authorization', 'Bearer …', 'Cookie', 'sid=…'] as in IncomingMessage#rawHeaders
    if (i > 0 && typeof items[i - 1] === 'string' && SENSITIVE_HEADER.test(items[i - 1] as string)) out.push(REDACTED);
    else out.push(sanitize(item, seen, depth + 1) ?? null);
  }
  if (items.length > MAX_ITEMS) out.push(`[${items.length - MAX_ITEMS} more]`);
  return out;
}

function sanitizeEntries(entries: Iterable<[unknown, unknown]>, size: number, seen: Set<object>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of entries) {
    if (n++ >= MAX_KEYS) {
      out['…'] = `${size - MAX_KEYS} more keys`;
      break;
    }
    const key = String(k);
    const clean = cleanField(key, v, seen, depth + 1);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}
