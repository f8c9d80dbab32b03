/** Node http glue for the route table: parse a request, write a reply. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedRequest, Reply, Router } from './router';

export interface ServeOptions {
  /** A loopback client may change state without a token (see auth.ts); default false. */
  readonly trustLoopback?: boolean;
}

export function parseRequest(req: IncomingMessage, options: ServeOptions = {}): Omit<ParsedRequest, 'params'> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    remoteAddress: req.socket?.remoteAddress,
    trustLoopback: options.trustLoopback === true,
  };
}

/** Writes the reply; returns the body's size in bytes (0 when nothing was written). */
export function writeReply(res: ServerResponse, reply: Reply, head = false): number {
  if (res.headersSent) return 0;
  const isJson = reply.encoded !== undefined || (reply.body !== undefined && typeof reply.body !== 'string');
  const body = reply.encoded ?? (reply.body === undefined ? '' : isJson ? JSON.stringify(reply.body) : String(reply.body));
  const headers: Record<string, string | number> = { 'cache-control': 'no-store', ...reply.headers };
  if (body.length !== 0 && !hasHeader(headers, 'content-type')) {
    headers['content-type'] = isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
  }
  const bytes = Buffer.byteLength(body);
  headers['content-length'] = bytes;
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : body);
  return head ? 0 : bytes;
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

/**
 * Serves one request from the router; never throws, resolves once the reply is written.
 * `path` overrides the request's own (a framework mounted the handler under a prefix).
 * The body's bytes are charged to the router's byte budget.
 */
export function serve(router: Router, req: IncomingMessage, res: ServerResponse, path?: string, options?: ServeOptions): Promise<void> {
  return new Promise<Omit<ParsedRequest, 'params'>>((resolve) => {
    const parsed = parseRequest(req, options);
    resolve(path === undefined ? parsed : { ...parsed, path });
  })
    .then((parsed) => router.dispatch(parsed))
    .then((reply) => router.budget.charge(writeReply(res, reply, req.method === 'HEAD')))
    .catch(() => {
      try {
        writeReply(res, { status: 500, body: { error: 'internal_error', message: 'reply failed' } });
      } catch {
        // the socket is gone
      }
    });
}
