/**
 * The health routes beyond /api/health and /live (which stay in src/server/routes.ts: no
 * I/O at all). /ready replaces the base one: critical checks, and 503 while draining.
 */
import { jsonError, type RouteTable } from '../server/router';
import { breakerStatuses, retryStatuses } from './registry';
import type { HealthRunner } from './runner';

export function healthRoutes(runner: HealthRunner, isDraining: () => boolean): RouteTable {
  return {
    '/api/health/detailed': {
      GET: async () => {
        const s = await runner.run();
        return { status: s.failing.length > 0 ? 503 : 200, body: { status: s.status, timestamp: s.timestamp, checks: s.checks } };
      },
    },
    '/api/health/ready': {
      GET: async () => {
        if (isDraining()) return { status: 503, body: { status: 'draining', reason: 'shutdown under way' } };
        const s = await runner.run();
        const checks = Object.fromEntries(s.critical.map((name) => [name, s.checks[name].status]));
        return s.failing.length > 0
          ? { status: 503, body: { status: 'not_ready', failing: s.failing, checks } }
          : { status: 200, body: { status: 'ok', checks } };
      },
    },
    '/api/health/resilience': {
      GET: () => ({ status: 200, body: { circuit_breakers: breakerStatuses(), retries: retryStatuses() } }),
    },
    '/api/health/:name': {
      GET: async (req) => {
        const name = req.params.name;
        const s = await runner.run();
        const result = Object.prototype.hasOwnProperty.call(s.checks, name) ? s.checks[name] : undefined;
        if (result === undefined) return jsonError(404, 'not_found', `No health check named ${JSON.stringify(name.slice(0, 64))}`);
        return { status: result.status === 'down' ? 503 : 200, body: { name, timestamp: s.timestamp, ...result } };
      },
    },
  };
}
