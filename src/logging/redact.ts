/**
 * Makes a log value safe to write: secrets masked, errors turned into plain objects, and
 * the result plain JSON data (no cycles, no BigInt, bounded depth and breadth), so that
 * JSON.stringify of it can neither throw nor run away.
 *
 * - Fields whose name looks like a credential (password, secret, token, api_key,
 *   authorization, cookie, …; any case, at any depth) → "[REDACTED]".
 * - In every string: passwords in URLs (`postgres://u:pw@h` → `postgres://u:***@h`),
 *   `Bearer …`/`Basic …` credentials, Authorization/Cookie header lines, and
 *   `password=…`-style pairs.
 * - In header arrays (`req.rawHeaders`), the value after a sensitive header name.
 */

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 8;
const MAX_KEYS = 200;
const MAX_ITEMS = 200;

const SENSITIVE_KEY = /passw(?:or)?d|^pass$|pwd|secret|token|api[-_]?key|authorization|cookie|credential|private[-_]?key/i;
const SENSITIVE_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie)$/i;

/** Cheap first look: a string without any of these needs no further work. */
const TRIGGER = /:\/\/|passw|pwd|secret|token|api[-_]?key|authorization|cookie|bearer|basic|credential/i;
// Every pattern below runs in time linear in the input: a match can only start at "://"
// or at a keyword, and no unbounded repetition is followed by something that can fail
// and make it backtrack over a long run (an unbounded `[a-z0-9+.-]*` before `://`, or
// `[\w.-]*` around a keyword, took seconds on one 40 KB log line of letters).
const URL_PASSWORD = /(:\/\/[^\s:@/?#]*):[^\s@/]*@/g;
const BEARER = /\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\b(Basic)(\s+)[A-Za-z0-9+/]{8}[A-Za-z0-9+/]*={0,2}/g; // {8,} is slow in V8 on long runs
const HEADER_LINE = /\b(proxy-authorization|authorization|set-cookie|cookie)("?\s*[:=]\s*)[^\r\n]*/gi;
const PAIR =
  /((?:passw(?:or)?d|pwd|secret|token|api[-_]?key|credential)[\w.-]{0,64})("?\s*[=:]\s*)("[^"]*"?|'[^']*'?|[^\s&,;"']+)/gi;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

export function redactString(s: string): string {
  if (!TRIGGER.test(s)) return s;
  return s
    .replace(URL_PASSWORD, '$1:***@')
    .replace(BEARER, `$1$2${REDACTED}`)
    .replace(BASIC, `$1$2${REDACTED}`)
    .replace(HEADER_LINE, `$1$2${REDACTED}`)
    .replace(PAIR, `$1$2${REDACTED}`);
}

/** An Error as plain data: name, message, stack, and its own fields (code, errno, cause…). */
export function errorToObject(err: Error, seen: Set<object> = new Set(), depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: redactString(String(err.message)) };
  if (typeof err.stack === 'string') out.stack = redactString(err.stack);
  seen.add(err);
  for (const key of Object.keys(err)) {
    if (key === 'name' || key === 'message' || key === 'stack') continue;
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : sanitize((err as unknown as Record<string, unknown>)[key], seen, depth + 1);
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
    const clean = SENSITIVE_KEY.test(key) && v !== undefined && v !== null && typeof v !== 'boolean' ? REDACTED : sanitize(v, seen, depth + 1);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}
