/**
 * PostgreSQL for the database check, through the application's own `pg`: a dedicated
 * pool of one connection (connect and query timeouts = the health timeout; the idle
 * connection kept a minute so that the latency is the query's, and never keeping the
 * process alive).
 */
import { requireFromApp } from './app-require';
import type { DbDriver } from './database';

interface PgPool {
  query(sql: string): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  end(): Promise<void>;
}
type PgModule = { Pool: new (options: Record<string, unknown>) => PgPool };

/** The driver, or undefined when the application has no `pg`. */
export function pgDriver(url: string, appDir: string, timeoutMs: number): DbDriver | undefined {
  const pg = requireFromApp<PgModule>(appDir, 'pg');
  if (pg === undefined || typeof pg.Pool !== 'function') return undefined;
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 60_000,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    allowExitOnIdle: true,
    application_name: `otelkit-health ${process.pid}`, // which instance probes, for the DBA
  });
  pool.on('error', () => undefined); // an idle connection dropped: the next probe reconnects
  return {
    client: 'pg',
    ping: async () => {
      await pool.query('SELECT 1');
    },
    close: () => pool.end(),
  };
}
