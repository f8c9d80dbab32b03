/**
 * Secrets out of telemetry attributes, by the one rule set (rules.ts): a value under a
 * credential-like key (authorization, cookie, password, token, …) becomes "[REDACTED]", a
 * `sql` attribute its normalised shape, and in any other string the rules' text masking
 * applies (URL credentials, Bearer/Basic credentials, `token=…`-style pairs, database
 * error values).
 *
 * The decision per key is made once and remembered (bounded), so a span costs one Map
 * lookup per attribute plus, for strings, one regular-expression test.
 */
import { normalizeStatement } from '../db/normalize';
import { KeyRule, keyRule, maskText, REDACTED } from './rules';

const enum Rule {
  Skip,
  Scan,
  Redact,
  Statement,
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
    if (SAFE_KEYS.has(key)) rule = Rule.Skip;
    else {
      const byName = keyRule(key);
      rule = byName === KeyRule.Redact ? Rule.Redact : byName === KeyRule.Statement ? Rule.Statement : Rule.Scan;
    }
    if (rules.size < MAX_REMEMBERED) rules.set(key, rule);
  }
  return rule;
}

function scan(value: unknown): unknown {
  if (typeof value === 'string') return maskText(value);
  if (!Array.isArray(value)) return value;
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (typeof item !== 'string') continue;
    const clean = maskText(item);
    if (clean === item) continue;
    out ??= value.slice();
    out[i] = clean;
  }
  return out ?? value;
}

/** The masked value of one attribute, or the value itself when nothing needed masking. */
function redacted(key: string, value: unknown): unknown {
  if (typeof value !== 'string' && !Array.isArray(value)) return value;
  const rule = ruleFor(key);
  if (rule === Rule.Skip) return value;
  if (rule === Rule.Redact) return REDACTED;
  if (rule === Rule.Statement && typeof value === 'string') return normalizeStatement(value, 'other_sql').statement;
  return scan(value);
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
export function redactedEntries(attributes: Readonly<Record<string, unknown>>): ReadonlyArray<[string, unknown]> {
  let out: Array<[string, unknown]> | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    const clean = redacted(key, value);
    if (clean !== value) (out ??= []).push([key, clean]);
  }
  return out ?? NONE;
}

const NONE: ReadonlyArray<[string, unknown]> = Object.freeze([]);
