/**
 * The database check: a real `SELECT 1` through the application's own `pg`, against
 * DATABASE_URL, on a dedicated pool of one connection (connect and query timeouts = the
 * health timeout; idle connection kept a minute so the latency is the query's, and never
 * keeping the process alive). Without DATABASE_URL: not_configured; without pg in the
 * app: not_configured with error "pg not installed". The URL is served masked.
 */
import { maskUrl } from './mask';
import { requireFromApp } from './app-require';
import { errorText, type CheckDef } from './run';
import type { CheckResult } from './types';

interface PgPool {
  query(sql: string): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  end(): Promise<void>;
}
type PgModule = { Pool: new (options: Record<string, unknown>) => PgPool };

export interface Probe extends CheckDef {
  shutdown(): Promise<void>;
}

export function createDatabaseProbe(url: string, appDir: string, timeoutMs: number): Probe {
  const target = url ? maskUrl(url) : undefined;
  let pool: PgPool | undefined;
  let missing = false;
  let closed = false;

  function getPool(): PgPool | undefined {
    if (pool !== undefined || missing || closed) return pool;
    const pg = requireFromApp<PgModule>(appDir, 'pg');
    if (pg === undefined || typeof pg.Pool !== 'function') {
      missing = true;
      return undefined;
    }
    pool = new pg.Pool({
      connectionString: url,
      max: 1,
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      allowExitOnIdle: true,
      application_name: `otelkit-health ${process.pid}`, // which instance probes, for the DBA
    });
    pool.on('error', () => undefined); // an idle connection dropped: the next probe reconnects
    return pool;
  }

  return {
    name: 'database',
    timed: true,
    get critical() {
      return url !== '' && !missing;
    },
    async run(): Promise<CheckResult> {
      if (!url) return { status: 'not_configured' };
      const p = getPool();
      if (p === undefined) return { status: 'not_configured', error: 'pg not installed', target };
      if (closed) return { status: 'down', error: 'shut down', target };
      try {
        await p.query('SELECT 1');
        return { status: 'ok', target };
      } catch (err) {
        return { status: 'down', error: errorText(err), target };
      }
    },
    async shutdown() {
      closed = true;
      await pool?.end().catch(() => undefined);
    },
  };
}
