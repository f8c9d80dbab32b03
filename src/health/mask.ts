/**
 * Secrets never leave through health output. Every string otelkit serves or logs for a
 * check — the target URL, a driver's error (drivers like to echo the connection string),
 * a custom check's error and details — goes through the one rule set
 * (src/secrets/rules.ts), and the credentials of DATABASE_URL / REDIS_URL (the password
 * and credential query parameters, raw and percent-decoded) are also masked wherever they
 * appear as words. Detail fields named like a credential become "[REDACTED]".
 */
import { credentialsOf, isSensitiveKey, maskText, maskUrl as maskAnyUrl, REDACTED, URL_MASK } from '../secrets/rules';

/** The URL with its credentials masked, still readable (`postgres://app:***@db/x?password=[REDACTED]`). */
export function maskUrl(url: string): string {
  return maskAnyUrl(url);
}

export type Masker = (text: string) => string;

/** A function that masks secrets in any text, including the credentials of `urls`. */
export function createMasker(urls: readonly string[]): Masker {
  const secrets = new Set<string>();
  for (const url of urls) {
    if (!url) continue;
    for (const value of credentialsOf(url)) {
      secrets.add(value);
      try {
        secrets.add(decodeURIComponent(value));
      } catch {
        // not valid percent-encoding: the raw form is enough
      }
    }
  }
  // Very short values would mask ordinary words; the rules still cover them in URLs.
  const words = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = maskText(text);
    for (const w of words) if (out.includes(w)) out = out.split(w).join(URL_MASK);
    return out;
  };
}

/**
 * Details of a check made safe to serve: every string masked, fields named like a
 * credential redacted, the whole bounded in size. Returns undefined when the value cannot
 * be serialised or is too large.
 */
export function sanitizeDetails(details: Record<string, unknown>, mask: Masker, maxChars = 4096): Record<string, unknown> | undefined {
  try {
    const json = JSON.stringify(details, (key, value: unknown) => {
      if (key !== '' && isSensitiveKey(key) && value !== null && value !== undefined && typeof value !== 'boolean') return REDACTED;
      return typeof value === 'string' ? mask(value) : typeof value === 'bigint' ? String(value) : value;
    });
    if (json === undefined || json.length > maxChars) return undefined;
    return JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
