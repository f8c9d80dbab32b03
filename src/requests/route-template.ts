/**
 * A route-like name for requests no framework routed (plain node:http): the path with its
 * variable segments replaced — numbers, UUIDs, long hex and other long opaque ids become
 * `:id` — so `/users/123` and `/users/456` count as one operation, `GET /users/:id`.
 * Bounded: at most `limit` distinct templates are handed out; past that, a path whose
 * template is new gets none (the request is named by its method, as without a template),
 * and the first refusal is reported once. The caller gives 404 answers no template.
 */
const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?=[0-9a-f]*\d)[0-9a-f]{12,}$/i;
/** Long tokens that mix letters and digits (base62/base64url ids, slugs with hashes). */
const OPAQUE = /^(?=[^/]*\d)(?=[^/]*[a-z])[A-Za-z0-9_-]{16,}$/;
const MAX_SEGMENTS = 12;
const MAX_SEGMENT_LENGTH = 64;

/** The template of one path (no query string), or undefined when it is too odd to name. */
export function templateOf(path: string): string | undefined {
  if (path === '' || path === '/') return '/';
  if (path.charCodeAt(0) !== 47 /* / */) return undefined;
  const parts = path.split('/');
  if (parts.length - 1 > MAX_SEGMENTS) return undefined;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (NUMBER.test(part) || UUID.test(part) || HEX.test(part) || OPAQUE.test(part)) parts[i] = ':id';
    else if (part.length > MAX_SEGMENT_LENGTH) return undefined;
  }
  return parts.join('/');
}

export interface RouteTemplates {
  /** The bounded template of a path, or undefined once the bound is reached for a new one. */
  of(path: string): string | undefined;
}

export function createRouteTemplates(limit: number, onFull: () => void): RouteTemplates {
  const known = new Set<string>();
  let reported = false;
  return {
    of(path) {
      const template = templateOf(path);
      if (template === undefined || known.has(template)) return template;
      if (known.size >= limit) {
        if (!reported) {
          reported = true;
          onFull();
        }
        return undefined;
      }
      known.add(template);
      return template;
    },
  };
}
