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
import { maskDbErrorText } from './db-errors';
import { isSensitiveParam, PARAM_ONLY_NAMES, SENSITIVE_PARTS, SENSITIVE_WORDS, WHOLE_NAMES } from './keys';

export { KeyRule, keyRule, isSensitiveKey, isSensitiveParam } from './keys';
export { maskDbErrorText } from './db-errors';

export const REDACTED = '[REDACTED]';
/** What replaces the credential part of a URL's userinfo. */
export const URL_MASK = '***';

const WORDS = SENSITIVE_WORDS.join('|');
const QUERY_NAMES = [...PARAM_ONLY_NAMES, ...WHOLE_NAMES].join('|');

/** Cheap first look: a string with none of these needs no further work (database errors have their own). */
const TRIGGER = new RegExp(String.raw`://|${SENSITIVE_PARTS}|bearer|basic|eyJ|session|(?<![A-Za-z0-9])(?:${WORDS}|${QUERY_NAMES})["']?\s*[=:]`, 'i');

const USERINFO = /:\/\/([^\s:@/?#]*)(:[^\s@/]*)?@/g;
const BEARER = /\b(bearer)(\s+)[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\b(Basic)(\s+)[A-Za-z0-9+/]{8}[A-Za-z0-9+/]*={0,2}/g; // {8,} is slow in V8 on long runs
const HEADER_LINE = /\b(proxy-authorization|authorization|set-cookie|cookie)("?\s*[:=]\s*)[^\r\n]*/gi;
const VALUE = String.raw`("[^"]*"?|'[^']*'?|[^\s&,;"']+)`;
const PAIR = new RegExp(String.raw`((?:${SENSITIVE_PARTS})[\w.-]{0,64})("?\s*[=:]\s*)${VALUE}`, 'gi');
/** Short names only as whole words: `pin=…`, `x_sig=…`, `"auth": …`, not `spinner=` or `author:`. */
const WORD_PAIR = new RegExp(String.raw`(?<![A-Za-z0-9])((?:${WORDS})(?:[-_][\w-]{0,32})?)("?\s*[=:]\s*)${VALUE}`, 'gi');
/** Names that are credentials only as query parameters: `?key=…`, `&code=…`, `?session=…`. */
const QUERY_ONLY = new RegExp(String.raw`(^|[?&;])(${QUERY_NAMES})=([^&#\s"']*)`, 'gi');
const JWT = /(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

function userinfo(_match: string, user: string, password: string | undefined): string {
  if (password !== undefined) return `://${user}:${URL_MASK}@`;
  return user === '' ? '://@' : `://${URL_MASK}@`;
}

/** The text with every secret the rules know masked; the same string when there is none. */
export function maskText(s: string): string {
  const db = maskDbErrorText(s);
  if (!TRIGGER.test(db)) return db;
  return db
    .replace(USERINFO, userinfo)
    .replace(BEARER, `$1$2${REDACTED}`)
    .replace(BASIC, `$1$2${REDACTED}`)
    .replace(HEADER_LINE, `$1$2${REDACTED}`)
    .replace(PAIR, `$1$2${REDACTED}`)
    .replace(WORD_PAIR, `$1$2${REDACTED}`)
    .replace(QUERY_ONLY, `$1$2=${REDACTED}`)
    .replace(JWT, REDACTED);
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
