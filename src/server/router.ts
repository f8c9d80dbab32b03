/**
 * Admin routes are plain functions from a parsed request to a reply, so one table serves
 * the admin port, the app's own servers (OTELKIT_MOUNT_ROUTES) and monitoringHandler(),
 * and is testable without a socket.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { reportError } from '../guard';
import { createByteBudget, type ByteBudget } from './budget';

export interface ParsedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  /**
   * Whether a loopback client may change state without OTELKIT_ADMIN_TOKEN: true on
   * otelkit's own admin server; on the application's port only when the app allows it
   * (a reverse proxy on the same host makes every client look local there).
   */
  readonly trustLoopback?: boolean;
  /** Values of :name segments in the route pattern. */
  readonly params: Readonly<Record<string, string>>;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Objects are sent as JSON; strings as they are (with the content type given). */
  readonly body?: unknown;
  /** The JSON body already serialised (server/cache.ts): sent instead of serialising `body`. */
  readonly encoded?: Buffer;
}

export type Handler = (req: ParsedRequest) => Reply | Promise<Reply>;

/** Pattern ("/api/health/:name") → method → handler. */
export type RouteTable = Readonly<Record<string, Readonly<Partial<Record<string, Handler>>>>>;

export function jsonError(status: number, error: string, message: string): Reply {
  return { status, body: { error, message } };
}

interface Compiled {
  readonly segments: readonly string[];
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
}

export interface Router {
  /** The route patterns of the table ("/api/health/:name"). */
  readonly paths: readonly string[];
  /** True when the path belongs to this table (whatever the method). */
  matches(path: string): boolean;
  dispatch(req: Omit<ParsedRequest, 'params'>): Promise<Reply>;
  /** The bytes per second its answers may cost, wherever the table is served (budget.ts). */
  readonly budget: ByteBudget;
}

export function createRouter(table: RouteTable, options: { readonly budget?: ByteBudget } = {}): Router {
  const exact = new Map<string, Compiled>();
  const patterns: Compiled[] = [];
  for (const [pattern, methods] of Object.entries(table)) {
    const compiled = { segments: pattern.split('/'), methods };
    if (pattern.includes('/:')) patterns.push(compiled);
    else exact.set(pattern, compiled);
  }

  function find(path: string): { route: Compiled; params: Record<string, string> } | undefined {
    const hit = exact.get(path);
    if (hit) return { route: hit, params: {} };
    const parts = path.split('/');
    for (const route of patterns) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.segments.every((seg, i) => {
        if (seg.startsWith(':')) {
          if (!parts[i]) return false;
          params[seg.slice(1)] = safeDecode(parts[i]);
          return true;
        }
        return seg === parts[i];
      });
      if (ok) return { route, params };
    }
    return undefined;
  }

  return {
    paths: Object.keys(table),
    budget: options.budget ?? createByteBudget(),
    matches: (path) => find(normalize(path)) !== undefined,
    async dispatch(req) {
      const path = normalize(req.path);
      const found = find(path);
      if (!found) return jsonError(404, 'not_found', `No route for ${path.slice(0, 200)}`);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = found.route.methods[method];
      if (!handler) {
        const allow = Object.keys(found.route.methods).join(', ');
        return { status: 405, headers: { allow }, body: { error: 'method_not_allowed', message: `Use ${allow}` } };
      }
      try {
        return await handler({ ...req, path, params: found.params });
      } catch (err) {
        reportError(`admin route ${path}`, err);
        return jsonError(500, 'internal_error', 'The handler failed; see the service log.');
      }
    },
  };
}

function normalize(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
