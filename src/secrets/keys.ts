/**
 * Which names carry secrets: field and attribute names (logs, spans, OTLP log records,
 * health details) and URL query parameter names. Part of the one rule set (rules.ts).
 *
 * A field name is sensitive when it contains password, passwd, pwd, passphrase, passcode,
 * secret, token, api_key, access_key, private_key, authorization, cookie, credential,
 * signature, jwt or session_id/session_key (any case, `-`, `_` or nothing between the
 * parts), or when one of its words is auth, pin, otp, sig or sid, or when it is `pass` or
 * `session` alone. Words are split at `-`, `_`, `.`, spaces and camelCase, so `userPin`
 * and `x-auth` are sensitive and `spinner`, `author` and `oauth_provider` are not.
 * A query parameter is sensitive under the same rule and also when it is `key` or `code`
 * (`?key=…` API keys, `?code=…` OAuth authorisation codes), which as log fields are not
 * secrets (a cache key, an error code).
 *
 * Decisions are remembered per name (bounded), so the hot path costs one Map lookup.
 */
/** Parts that make a name sensitive wherever they appear in it (a regular-expression source). */
export const SENSITIVE_PARTS = String.raw`passw(?:or)?d|pwd|pass(?:phrase|code)|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|authoriz|cookie|credential|signature|jwt|session[-_]?(?:id|key)`;
/** Words that make a name sensitive when they are one of its words. */
export const SENSITIVE_WORDS: readonly string[] = ['auth', 'pin', 'otp', 'sig', 'sid'];
/** Names sensitive only when they are the whole name. */
export const WHOLE_NAMES: readonly string[] = ['pass', 'session'];
/** Query parameter names that are credentials there, but not as log fields (a cache key, an error code). */
export const PARAM_ONLY_NAMES: readonly string[] = ['key', 'code'];

const CONTAINS = new RegExp(SENSITIVE_PARTS, 'i');
const WORDS: ReadonlySet<string> = new Set(SENSITIVE_WORDS);
const WHOLE: ReadonlySet<string> = new Set(WHOLE_NAMES);
const PARAM_ONLY: ReadonlySet<string> = new Set(PARAM_ONLY_NAMES);
/** Names whose string value is a statement: stored and shown without its values. */
const STATEMENT_KEYS: ReadonlySet<string> = new Set(['sql', 'db.statement', 'db.query.text']);

export const enum KeyRule {
  /** Look inside the value for secrets. */
  Scan,
  /** The whole value is a secret: "[REDACTED]". */
  Redact,
  /** The value is SQL: keep its shape, drop its values. */
  Statement,
}

const MAX_REMEMBERED = 4096;
const remembered = new Map<string, KeyRule>();

/** The rule for a field or attribute name. */
export function keyRule(key: string): KeyRule {
  let rule = remembered.get(key);
  if (rule === undefined) {
    rule = STATEMENT_KEYS.has(key) ? KeyRule.Statement : decide(key) ? KeyRule.Redact : KeyRule.Scan;
    if (remembered.size < MAX_REMEMBERED) remembered.set(key, rule);
  }
  return rule;
}

export function isSensitiveKey(key: string): boolean {
  return keyRule(key) === KeyRule.Redact;
}

/** A URL query parameter (or `name=value` pair in a query string) whose value is a credential. */
export function isSensitiveParam(name: string): boolean {
  return isSensitiveKey(name) || PARAM_ONLY.has(name.toLowerCase());
}

function decide(key: string): boolean {
  if (CONTAINS.test(key)) return true;
  const words = wordsOf(key);
  if (words.length === 1 && WHOLE.has(words[0])) return true;
  return words.some((w) => WORDS.has(w));
}

/** "x-auth_userPin" → ["x", "auth", "user", "pin"]. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}
