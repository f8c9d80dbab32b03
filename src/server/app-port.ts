/**
 * otelkit's endpoints on the application's own port (OTELKIT_MOUNT_ROUTES and
 * monitoringHandler()). They are the application's traffic, so no request rate applies,
 * but what they cost does: answers that can be large wait for the router's byte budget
 * and for each other, as on the admin server (limit.ts, budget.ts) — a scraper reading
 * megabyte pages in a loop gets them at the budget's pace, not at the app's expense. Health
 * answers never wait. A loopback client is not trusted to change state here (auth.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHealthPath } from './budget';
import { serve, writeReply, type ServeOptions } from './http';
import { createLimiter, type Limiter } from './limit';
import type { Router } from './router';

const limiters = new WeakMap<Router, Limiter>();

const BUSY = {
  status: 503,
  headers: { 'retry-after': '1' },
  body: { error: 'busy', message: "otelkit's endpoints have used their budget of bytes for now; retry later." },
};

function limiterOf(router: Router): Limiter {
  let limiter = limiters.get(router);
  if (limiter === undefined) {
    limiter = createLimiter({ ratePerSecond: Infinity, burst: Infinity, bytesWaitMs: router.budget.waitMs });
    limiters.set(router, limiter);
  }
  return limiter;
}

/** serve() under the byte budget; `path` as for serve(). Resolves once answered or queued. */
export function serveOnAppPort(router: Router, req: IncomingMessage, res: ServerResponse, path: string | undefined, options: ServeOptions): Promise<void> {
  if (isHealthPath(path ?? req.url)) return serve(router, req, res, path, options);
  return new Promise<void>((resolve) => {
    limiterOf(router).submit(
      () => serve(router, req, res, path, options).finally(resolve),
      () => {
        writeReply(res, BUSY);
        resolve();
      },
      () => req.destroyed || res.destroyed,
      true,
    );
  });
}
