/**
 * Secrets never leave through health output: passwords of DATABASE_URL / REDIS_URL are
 * replaced by *** in every string otelkit serves or logs (drivers like to echo the
 * connection string in their errors), and so is any user:password@ in any URL.
 */
// Anchored on "://" (no scheme before it), so that it runs in linear time on any text.
const CREDENTIALS_IN_URL = /(:\/\/[^\s:/@]*:)[^\s@/]*@/g;
const MASK = '***';

/** The URL with its password replaced by ***; unparsable input is reduced to its scheme. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = MASK;
    return u.toString();
  } catch {
    return url.replace(CREDENTIALS_IN_URL, `$1${MASK}@`);
  }
}

export type Masker = (text: string) => string;

/** A function that removes the passwords of `urls` (raw and percent-decoded) from any text. */
export function createMasker(urls: readonly string[]): Masker {
  const secrets = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    try {
      const { password } = new URL(url);
      if (!password) continue;
      secrets.add(password);
      try {
        secrets.add(decodeURIComponent(password));
      } catch {
        // not valid percent-encoding: the raw form is enough
      }
    } catch {
      // not a URL: nothing to extract
    }
  }
  // Very short passwords would mask ordinary words; the URL pattern still covers them.
  const words = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(CREDENTIALS_IN_URL, `$1${MASK}@`);
    for (const w of words) out = out.split(w).join(MASK);
    return out;
  };
}

/**
 * Details of a check made safe to serve: every string masked, the whole bounded in size.
 * Returns undefined when the value cannot be serialised or is too large.
 */
export function sanitizeDetails(details: Record<string, unknown>, mask: Masker, maxChars = 4096): Record<string, unknown> | undefined {
  try {
    const json = JSON.stringify(details, (_key, value: unknown) => (typeof value === 'string' ? mask(value) : typeof value === 'bigint' ? String(value) : value));
    if (json === undefined || json.length > maxChars) return undefined;
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
