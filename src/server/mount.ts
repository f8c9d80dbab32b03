/**
 * OTELKIT_MOUNT_ROUTES=true: the application's own HTTP(S) servers also answer
 * /api/health* and /api/metrics*, before the application's handler sees the request.
 * `Server#emit` is wrapped only when the option is on; per event the wrapper costs one
 * comparison, and per request a prefix check. Every other request (and every path of
 * the app that the route table does not know, such as /api/healthz) goes to the app
 * unchanged. otelkit's own admin servers are left alone. As with monitoringHandler(), a
 * loopback client is not trusted to change state here without OTELKIT_ADMIN_TOKEN.
 */
import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Config } from '../config';
import type { Feature } from '../feature';
import { kOtelkitServer } from '../symbols';
import { serveOnAppPort } from './app-port';
import type { Router } from './router';

type Emit = (this: { [kOtelkitServer]?: boolean }, event: string | symbol, ...args: unknown[]) => boolean;

/** Cheap test on the raw URL; the route table decides. */
function mountedPath(url: unknown): string | undefined {
  if (typeof url !== 'string' || !url.startsWith('/api/')) return undefined;
  if (!url.startsWith('/api/health') && !url.startsWith('/api/metrics')) return undefined;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function patchEmit(proto: { emit: Emit }, getRouter: () => Router | undefined): () => void {
  const hadOwn = Object.prototype.hasOwnProperty.call(proto, 'emit');
  const original = proto.emit;
  const emit: Emit = function emit(this, event) {
    if (event === 'request' && this[kOtelkitServer] !== true) {
      const req = arguments[1] as IncomingMessage;
      const path = mountedPath(req.url);
      if (path !== undefined) {
        const router = getRouter();
        if (router !== undefined && router.matches(path)) {
          void serveOnAppPort(router, req, arguments[2] as ServerResponse, undefined, {});
          return true;
        }
      }
    }
    // eslint-disable-next-line prefer-rest-params
    return original.apply(this, arguments as unknown as Parameters<Emit>);
  };
  proto.emit = emit;
  return () => {
    if (proto.emit !== emit) return;
    if (hadOwn) proto.emit = original;
    else delete (proto as Partial<typeof proto>).emit;
  };
}

export function mountOnAppServers(getRouter: () => Router | undefined): () => void {
  const restores = [
    patchEmit(HttpServer.prototype as unknown as { emit: Emit }, getRouter),
    // node:https (and TLS under it) is loaded only when mounting is on.
    patchEmit((require('node:https') as typeof import('node:https')).Server.prototype as unknown as { emit: Emit }, getRouter),
  ];
  return () => restores.forEach((restore) => restore());
}

/** The mounting as a Feature; a no-op unless OTELKIT_MOUNT_ROUTES is on. */
export function createMountFeature(config: Config, getRouter: () => Router | undefined): Feature {
  if (!config.mountRoutes) return {};
  let restore: (() => void) | undefined;
  return {
    bind() {
      restore = mountOnAppServers(getRouter);
    },
    async shutdown() {
      restore?.();
    },
  };
}
