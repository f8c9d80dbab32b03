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
  close(): Promise<void>;
}

/**
 * "localhost" (the OpenTelemetry default) is bound as 127.0.0.1: Node would otherwise resolve
 * the name through the system resolver at every start, for the same loopback address.
 */
export function bindAddress(host: string): string {
  return host === 'localhost' ? '127.0.0.1' : host;
}

export function startAdminServer(host: string, port: number, router: Router, what = 'admin endpoints'): AdminServer {
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
  const ready = new Promise<number | undefined>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      log.warn(`${what} not served: cannot listen on ${host}:${port} (${err.code ?? err.message}); the application runs on.`);
      resolve(undefined);
    });
    server.listen(port, bindAddress(host), () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
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
