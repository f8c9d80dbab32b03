/**
 * monitoringHandler(): the admin route table inside the application, for apps that mount
 * it themselves. One table for all forms, the running instance's (the preload's or
 * start()'s), looked up per request:
 *
 *   Express / Connect   app.use(monitoringHandler())            // next() for other paths
 *   plain node:http     http.createServer(monitoringHandler())  // 404 JSON for other paths
 *   Koa                 app.use(monitoringHandler.koa())
 *   Fastify             fastify.register(monitoringHandler.fastify)
 *
 * A prefix is honoured where the framework strips it (Express `app.use('/ops', …)`,
 * Fastify `register(…, { prefix: '/ops' })`).
 *
 * Without OTELKIT_ADMIN_TOKEN, requests that change state (DELETE) are refused here even
 * from loopback — a reverse proxy on the same host makes every client look local — unless
 * the app passes { allowLoopbackMutations: true } (to each form: monitoringHandler(o),
 * .koa(o), register(monitoringHandler.fastify, o)).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { currentInstance } from '../start';
import { componentLogger, createWarnOnce } from '../diag';
import { writeReply, type ServeOptions } from './http';
import { serveOnAppPort as serve } from './app-port';
import type { Router } from './router';

const warnOnce = createWarnOnce(componentLogger('otelkit:server'));

export interface MonitoringHandlerOptions {
  /**
   * With no OTELKIT_ADMIN_TOKEN, accept DELETE from loopback clients (default false: only
   * safe when no reverse proxy on this host forwards outside clients to the app).
   */
  readonly allowLoopbackMutations?: boolean;
}

export type NextFunction = (err?: unknown) => void;
export type MonitoringRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

interface KoaContext {
  readonly path: string;
  /** Set by koa-mount. */
  readonly mountPath?: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  respond?: boolean;
}
export type KoaMiddleware = (ctx: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

interface FastifyReplyLike {
  readonly raw: ServerResponse;
  hijack(): unknown;
}
interface FastifyLike {
  readonly prefix?: string;
  route(options: { method: string[]; url: string; handler: (request: { raw: IncomingMessage }, reply: FastifyReplyLike) => Promise<void> }): unknown;
  hasRoute?(options: { method: string; url: string }): boolean;
}
export type FastifyPlugin = (fastify: FastifyLike, options: MonitoringHandlerOptions | undefined, done: (err?: Error) => void) => void;

const NOT_RUNNING = { status: 503, body: { error: 'not_running', message: 'otelkit is not running (not started, or OTEL_SDK_DISABLED)' } };
const FASTIFY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

function router(): Router | undefined {
  return currentInstance()?.router;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

function serveOptions(options: MonitoringHandlerOptions | undefined): ServeOptions {
  return { trustLoopback: options?.allowLoopbackMutations === true };
}

/**
 * The status page (`/`) answers at the root of a mounting only where that root is
 * otelkit's: under a prefix (Express `app.use('/ops', …)`, Fastify's `prefix`, koa-mount)
 * or when the handler is the whole server. Mounted at the application's own root, `/`
 * stays the application's.
 */
function ownsRoot(req: IncomingMessage & { originalUrl?: unknown }): boolean {
  return typeof req.originalUrl === 'string' && pathOf(req.originalUrl) !== pathOf(req.url);
}

/** A `(req, res, next?)` handler serving otelkit's endpoints. */
export function monitoringHandler(options?: MonitoringHandlerOptions): MonitoringRequestHandler {
  const served = serveOptions(options);
  return function otelkitMonitoring(req, res, next) {
    try {
      const r = router();
      const path = pathOf(req.url);
      if (r !== undefined && r.matches(path) && (next === undefined || path !== '/' || ownsRoot(req))) return void serve(r, req, res, undefined, served);
      if (next !== undefined) return next();
      if (r === undefined) return void writeReply(res, NOT_RUNNING);
      void serve(r, req, res, undefined, served); // the router answers 404 JSON
    } catch (err) {
      if (next !== undefined) next(err);
    }
  };
}

/** Koa middleware: answers otelkit's paths itself (ctx.respond = false), awaits next() otherwise. */
monitoringHandler.koa = function koa(options?: MonitoringHandlerOptions): KoaMiddleware {
  const served = serveOptions(options);
  return async function otelkitMonitoring(ctx, next) {
    const r = router();
    if (r === undefined || !r.matches(ctx.path) || (ctx.path === '/' && !ctx.mountPath)) return next();
    ctx.respond = false;
    await serve(r, ctx.req, ctx.res, ctx.path, served);
  };
};

/**
 * Fastify plugin: registers each route of the table (all methods, so the table answers
 * 405 itself) unless the app already has it. Needs otelkit running when registered.
 */
monitoringHandler.fastify = function fastify(instance: FastifyLike, options: MonitoringHandlerOptions | undefined, done: (err?: Error) => void): void {
  const served = serveOptions(options);
  const r = router();
  if (r === undefined) {
    warnOnce('fastify', 'monitoringHandler.fastify: otelkit is not running; no routes registered.');
    return done();
  }
  const prefix = instance.prefix ?? '';
  for (const url of r.paths) {
    if (url === '/' && prefix === '') continue; // the application's root stays its own
    const methods = FASTIFY_METHODS.filter((method) => {
      try {
        return instance.hasRoute?.({ method, url: prefix + url }) !== true; // hasRoute takes the full path
      } catch {
        return true;
      }
    });
    if (methods.length === 0) continue;
    try {
      instance.route({
        method: methods,
        url,
        handler: async (request, reply) => {
          reply.hijack();
          const path = pathOf(request.raw.url);
          await serve(router() ?? r, request.raw, reply.raw, prefix && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path, served);
        },
      });
    } catch (err) {
      warnOnce(`fastify ${url}`, `monitoringHandler.fastify: ${url} not registered: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  done();
};
