/**
 * The admin server: the route table on OTELKIT_ADMIN_HOST:PORT (by default the Prometheus
 * host and port, loopback). It never keeps the process alive, and a port in use costs one
 * warning, never the application.
 */
import { createServer, type Server } from 'node:http';
import { componentLogger, createWarnOnce } from '../diag';
import { serve, writeReply } from './http';
import { createLimiter, MAX_QUEUED, MAX_WAIT_MS, RATE_PER_SECOND } from './limit';
import { BYTES_PER_SECOND, isHealthPath } from './budget';
import type { Router } from './router';
import { kOtelkitServer } from '../symbols';
import { giveWayOnListen } from './give-way';

const log = componentLogger('otelkit:server');
/** On otelkit's own server a loopback address is a local client (no proxy in front). */
const ADMIN_PORT = { trustLoopback: true };
const warnOnce = createWarnOnce(log);

export interface AdminServer {
  /** Resolves with the bound port, or undefined when listening failed. */
  readonly ready: Promise<number | undefined>;
  /** Tries to listen again after a failed attempt: the port, or the error code (src/cluster). */
  relisten(): Promise<number | string>;
  close(): Promise<void>;
}

export interface AdminListenOptions {
  /**
   * Bind the port in this process: in a cluster worker Node would otherwise share the
   * primary's handle, and every worker would answer for itself in turn.
   */
  readonly exclusive?: boolean;
  /** A port in use is expected (another process of the service holds it): no warning. */
  readonly quietInUse?: boolean;
  /** Do not listen yet: the first relisten() does (`ready` resolves with that first attempt). */
  readonly deferred?: boolean;
}

/**
 * "localhost" (the OpenTelemetry default) is bound as 127.0.0.1: Node would otherwise resolve
 * the name through the system resolver at every start, for the same loopback address.
 */
export function bindAddress(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

export function startAdminServer(host: string, port: number, router: Router, what = 'admin endpoints', options: AdminListenOptions = {}): AdminServer {
  const limiter = createLimiter({
    bytesWaitMs: router.budget.waitMs,
    onLimited: () => warnOnce('busy', `${what} on ${host}:${port}: over ${RATE_PER_SECOND} requests/s or ${BYTES_PER_SECOND / 2 ** 20} MiB/s of answers; the excess waits (up to ${MAX_QUEUED} requests, ${MAX_WAIT_MS / 1000} s), then gets 503. Reported once.`),
  });
  const server: Server & { [kOtelkitServer]?: boolean } = createServer((req, res) => {
    limiter.submit(
      () => serve(router, req, res, undefined, ADMIN_PORT),
      () => writeReply(res, { status: 503, headers: { 'retry-after': '1', connection: 'close' }, body: { error: 'busy', message: 'Too many admin requests; retry later.' } }),
      () => req.destroyed || res.destroyed,
      !isHealthPath(req.url),
    );
  });
  server[kOtelkitServer] = true;
  server.keepAliveTimeout = 5000;
  let first: (port: number | undefined) => void = () => undefined;
  const ready = new Promise<number | undefined>((resolve) => (first = resolve));
  const listen = () =>
    new Promise<number | string>((resolve) => {
      const onError = (err: NodeJS.ErrnoException) => {
        if (!(options.quietInUse && err.code === 'EADDRINUSE')) {
          log.warn(`${what} not served: cannot listen on ${host}:${port} (${err.code ?? err.message}); the application runs on.`);
        }
        resolve(err.code ?? 'ERROR');
      };
      server.once('error', onError);
      server.listen({ port, host: bindAddress(host), exclusive: options.exclusive === true }, () => {
        server.off('error', onError);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    }).then((result) => {
      first(typeof result === 'number' ? result : undefined);
      return result;
    });
  if (options.deferred !== true) void listen();
  server.unref();
  // The configured port from the start: an app may listen on it in the same tick.
  let bound: number | undefined = port === 0 ? undefined : port;
  void ready.then((p) => {
    bound = p;
  });
  const stopWatching = giveWayOnListen(() => bound, () => {
    limiter.close();
    server.close();
    server.closeAllConnections?.();
    log.warn(`the application listens on port ${bound} itself: ${what} stepped aside and are not served (set OTELKIT_ADMIN_PORT, or OTEL_EXPORTER_PROMETHEUS_PORT, to serve them on another port).`);
  });
  return {
    ready,
    relisten: () => (server.listening ? Promise.resolve(port) : listen()),
    close: () =>
      new Promise<void>((resolve) => {
        stopWatching();
        limiter.close();
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
