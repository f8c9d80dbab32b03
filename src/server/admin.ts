/**
 * The admin server: the route table on OTELKIT_ADMIN_HOST:PORT (by default the Prometheus
 * host and port, loopback). It never keeps the process alive, and a port in use costs one
 * warning, never the application.
 */
import { createServer, type Server } from 'node:http';
import { componentLogger } from '../diag';
import { serve } from './http';
import type { Router } from './router';
import { kOtelkitServer } from '../symbols';

const log = componentLogger('otelkit:server');

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

export function startAdminServer(host: string, port: number, router: Router): AdminServer {
  const server: Server & { [kOtelkitServer]?: boolean } = createServer((req, res) => serve(router, req, res));
  server[kOtelkitServer] = true;
  server.keepAliveTimeout = 5000;
  const ready = new Promise<number | undefined>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      log.warn(`admin endpoints not served: cannot listen on ${host}:${port} (${err.code ?? err.message}); the application runs on.`);
      resolve(undefined);
    });
    server.listen(port, bindAddress(host), () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
  server.unref();
  return {
    ready,
    close: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
