/**
 * Admin access for endpoints that change state (DELETE …). With OTELKIT_ADMIN_TOKEN set,
 * a request needs `Authorization: Bearer <token>` (compared in constant time). With no
 * token configured, only loopback clients are accepted, and only where a loopback
 * address means a local client: on otelkit's admin server, or on the application's port
 * when the app says so (monitoringHandler({ allowLoopbackMutations: true })) — behind a
 * reverse proxy on the same host every client has a loopback address. Generic: any
 * feature wraps its mutating handlers with adminOnly(token, handler).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { jsonError, type Handler, type ParsedRequest, type Reply } from './router';

const APP_PORT_REFUSED =
  "Without OTELKIT_ADMIN_TOKEN configured, changes through the application's own port are refused " +
  '(behind a reverse proxy on this host every client looks local). Set OTELKIT_ADMIN_TOKEN and send ' +
  'Authorization: Bearer <token>, use the admin port, or let loopback clients in with ' +
  'monitoringHandler({ allowLoopbackMutations: true }).';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (LOOPBACK.has(address) || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** Equal strings, in time independent of where they differ (both are hashed first). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** undefined when the request may go on; otherwise the 401/403 reply to send. */
export function checkAdmin(req: ParsedRequest, token: string): Reply | undefined {
  if (token === '') {
    if (req.trustLoopback !== true) return jsonError(403, 'forbidden', APP_PORT_REFUSED);
    if (isLoopback(req.remoteAddress)) return undefined;
    return jsonError(403, 'forbidden', 'Without OTELKIT_ADMIN_TOKEN configured, this endpoint only answers loopback clients.');
  }
  const given = bearer(req.headers.authorization);
  if (given === undefined) {
    return { ...jsonError(401, 'unauthorized', 'Send Authorization: Bearer <OTELKIT_ADMIN_TOKEN>.'), headers: { 'www-authenticate': 'Bearer' } };
  }
  if (!sameSecret(given, token)) {
    return { ...jsonError(401, 'unauthorized', 'The bearer token is not valid.'), headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  return undefined;
}

/** Wraps a handler so that it runs only for admins (see checkAdmin). */
export function adminOnly(token: string, handler: Handler): Handler {
  return (req) => checkAdmin(req, token) ?? handler(req);
}
