/**
 * Secrets out of telemetry attributes, with the rules of otelkit's logger
 * (src/logging/redact.ts): a value under a credential-like key (authorization, cookie,
 * password, token, …) becomes "[REDACTED]"; in any other string, passwords in URLs,
 * Bearer/Basic credentials and `token=…`-style pairs (query strings) are masked.
 *
 * The decision per key is made once and remembered (bounded), so a span costs one Map
 * lookup per attribute plus, for strings, one regular-expression test.
 */
import { isSensitiveKey, redactString, REDACTED } from '../logging/redact';

const enum Rule {
  Skip,
  Scan,
  Redact,
}

/** Keys whose values are never secrets or are made safe before this runs (statements: src/db). */
const SAFE_KEYS = new Set([
  'http.request.method', 'http.request.method_original', 'http.route', 'url.scheme', 'network.protocol.version',
  'request.id', 'client.address', 'server.address', 'network.peer.address', 'error.type',
  'db.system', 'db.system.name', 'db.namespace', 'db.name', 'db.operation.name', 'db.collection.name',
  'db.query.text', 'db.statement',
]);
const MAX_REMEMBERED = 1024;
const rules = new Map<string, Rule>();

function ruleFor(key: string): Rule {
  let rule = rules.get(key);
  if (rule === undefined) {
    rule = SAFE_KEYS.has(key) ? Rule.Skip : isSensitiveKey(key) ? Rule.Redact : Rule.Scan;
    if (rules.size < MAX_REMEMBERED) rules.set(key, rule);
  }
  return rule;
}

function scan(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value) && value.some((v) => typeof v === 'string')) return value.map((v) => (typeof v === 'string' ? redactString(v) : v));
  return value;
}

/** The masked value of one attribute, or the value itself when nothing needed masking. */
function redacted(key: string, value: unknown): unknown {
  if (typeof value !== 'string' && !Array.isArray(value)) return value;
  const rule = ruleFor(key);
  if (rule === Rule.Skip) return value;
  return rule === Rule.Redact ? REDACTED : scan(value);
}

/** Masks secrets in an attribute map, in place. Numbers and booleans are left alone. */
export function redactAttributes(attributes: Record<string, unknown> | undefined): void {
  if (attributes === undefined) return;
  for (const key in attributes) {
    const value = attributes[key];
    const clean = redacted(key, value);
    if (clean !== value) attributes[key] = clean;
  }
}

/** The attributes that need masking, with their masked values (for Span#setAttribute). */
export function redactedEntries(attributes: Readonly<Record<string, unknown>>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const key in attributes) {
    const value = attributes[key];
    const clean = redacted(key, value);
    if (clean !== value) out.push([key, clean]);
  }
  return out;
}
