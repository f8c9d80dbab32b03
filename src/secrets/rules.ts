/**
 * The one set of redaction rules. Every sink applies it: otelkit's log lines (console,
 * LOG_FILE, OTLP), exported spans (attributes, events, status), OTLP log records of the
 * app's own loggers, health output (targets, errors, custom details), slow-query records
 * and otelkit's configuration warnings.
 *
 * - Names (keys.ts): a field, attribute or header named like a credential → "[REDACTED]";
 *   a field holding SQL (`sql`, `db.statement`, `db.query.text`) → its normalised shape.
 * - Text (maskText), in every string whatever its name:
 *   - URLs: a password in the userinfo → `***` (`postgres://app:***@db/x`), a userinfo
 *     without password — often a token, `https://ghp_…@github.com` — → `***`
 *     (`https://***@github.com`), credential query parameters → `[REDACTED]`
 *     (`?sig=[REDACTED]&sv=2024`), the rest of the URL kept;
 *   - `Bearer …` and `Basic …` credentials, `Authorization:`/`Cookie:` header lines;
 *   - `name=value` and `name: value` pairs (query strings, JSON, key-value text) whose
 *     name is sensitive;
 *   - JSON Web Tokens (`eyJ….eyJ….…`);
 *   - values quoted by database error messages (db-errors.ts) → `?`.
 *
 * Every pattern runs in time linear in its input: a match can only start at `://`, at a
 * keyword or at a run boundary, and no unbounded repetition is followed by something that
 * can fail and make it backtrack over a long run. A string that matches nothing is
 * returned as it is, after one test of TRIGGER, without allocating.
 */
import { DB_ERROR_TRIGGER, maskDbErrorText } from './db-errors';
import { isSensitiveParam, PARAM_ONLY_NAMES, SENSITIVE_PARTS, SENSITIVE_WORDS, WHOLE_NAMES } from './keys';

export { KeyRule, keyRule, isSensitiveKey, isSensitiveParam } from './keys';
export { maskDbErrorText } from './db-errors';

export const REDACTED = '[REDACTED]';
/** What replaces the credential part of a URL's userinfo. */
export const URL_MASK = '***';

const WORDS = SENSITIVE_WORDS.join('|');
const QUERY_NAMES = [...PARAM_ONLY_NAMES, ...WHOLE_NAMES].join('|');

/**
 * Cheapest first look: every rule needs one of these — a separator (`://`, `=`, `:`), a
 * quote, or one of the words (a user agent's parentheses and semicolons do not count).
 */
const PREFILTER = /[=:"']|bearer|basic|eyJ|Failing row/i;
/** Second look: a string with none of these needs no rule (the database error anchors included). */
const TRIGGER = new RegExp(String.raw`://|pass|pwd|secret|token|key|auth|cookie|credential|sig|jwt|session|bearer|basic|eyJ|(?:pin|otp|sid|code)["']?\s*[=:]|${DB_ERROR_TRIGGER.source}`, 'i');

const VALUE = String.raw`(?<value>"[^"]*"?|'[^']*'?|[^\s&,;"']+)`;
/**
 * The text rules as one pattern, so that a string is scanned once; at one position the
 * first alternative that matches wins (a header line before a pair).
 */
const RULES = new RegExp(
  [
    // URL userinfo: user:password@ (the password masked), token@ (all of it masked)
    String.raw`:\/\/(?<user>[^\s:@/?#]*)(?<password>:[^\s@/]*)?@`,
    // Bearer credentials
    String.raw`\b(?<scheme>bearer\s+)[A-Za-z0-9\-._~+/]+=*`,
    // Authorization:/Cookie: header text, to the end of the line
    String.raw`\b(?<header>(?:proxy-authorization|authorization|set-cookie|cookie)"?\s*[:=]\s*)[^\r\n]*`,
    // name=value / name: value / "name": "value" with a sensitive name
    String.raw`(?<name>(?:(?:${SENSITIVE_PARTS})[\w.-]{0,64}|(?<![A-Za-z0-9])(?:${WORDS})(?:[-_][\w-]{0,32})?)"?\s*[=:]\s*)${VALUE}`,
    // names that are credentials only as query parameters
    String.raw`(?<param>(?:^|[?&;])(?:${QUERY_NAMES})=)[^&#\s"']*`,
    // JSON Web Tokens
    String.raw`(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*`,
  ].join('|'),
  'gi',
);
/** `Basic` credentials: case-sensitive (`basic authentication` is prose), so a pattern of its own. */
const BASIC = /\b(Basic\s+)[A-Za-z0-9+/]{8}[A-Za-z0-9+/]*={0,2}/g; // {8,} is slow in V8 on long runs

interface Groups {
  user?: string;
  password?: string;
  scheme?: string;
  header?: string;
  name?: string;
  param?: string;
}

function replaceRule(match: string, ...args: unknown[]): string {
  const g = args[args.length - 1] as Groups;
  if (g.user !== undefined) return g.password !== undefined ? `://${g.user}:${URL_MASK}@` : g.user === '' ? match : `://${URL_MASK}@`;
  const kept = g.scheme ?? g.header ?? g.name ?? g.param;
  return kept === undefined ? REDACTED : `${kept}${REDACTED}`;
}

/** The text with every secret the rules know masked; the same string when there is none. */
export function maskText(s: string): string {
  if (!PREFILTER.test(s) || !TRIGGER.test(s)) return s;
  const masked = maskDbErrorText(s).replace(RULES, replaceRule);
  return masked.includes('Basic') ? masked.replace(BASIC, `$1${REDACTED}`) : masked;
}

/**
 * A URL made safe to show, still readable: `postgres://app:***@db:5432/x?password=[REDACTED]&sslmode=require`.
 * Text that is not a valid URL is cut from its scheme to its last `@`, since its userinfo
 * cannot be told apart from the rest.
 */
export function maskUrl(url: string): string {
  if (URL.canParse(url)) return maskText(url);
  const at = url.lastIndexOf('@');
  const scheme = url.indexOf('://');
  const from = scheme === -1 ? 0 : scheme + 3;
  return at > from ? `${url.slice(0, from)}${URL_MASK}${maskText(url.slice(at))}` : maskText(url);
}

/** The values of a URL that are credentials (its password, sensitive query parameters), for maskers that look for them as words. */
export function credentialsOf(url: string): string[] {
  if (!URL.canParse(url)) return [];
  const u = new URL(url);
  const out: string[] = [];
  if (u.password) out.push(u.password);
  for (const [name, value] of u.searchParams) if (value !== '' && isSensitiveParam(name)) out.push(value);
  return out;
}
