/**
 * PostgreSQL for the database check, through the application's own `pg`: one dedicated
 * connection (connect and query timeouts = the health timeout), kept a minute after the
 * last probe so that the latency is the query's, and never keeping the process alive.
 *
 * The probe is not the application's traffic: it runs with tracing suppressed (no span, no
 * APM operation; health/run.ts), and it calls the Client's own connect and query, not the
 * wrappers @opentelemetry/instrumentation-pg puts on them (kept as `__original`), so that
 * `SELECT 1` does not count in `db.client.operation.duration`. It uses a Client, not a
 * Pool: a pool is what the instrumentation reports in `db.client.connection.*`.
 */
import { requireFromApp } from './app-require';
import type { DbDriver } from './database';

interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
  unref?(): void;
  on(event: 'error' | 'end', listener: (err?: Error) => void): unknown;
}
type PgModule = { Client: (new (options: Record<string, unknown>) => PgClient) & { prototype: PgClient } };
type Method = (this: PgClient, ...args: never[]) => Promise<unknown>;

const IDLE_MS = 60_000;

/** The function an OpenTelemetry instrumentation wrapped, or the function itself. */
function unwrapped<T extends Method>(fn: T): T {
  const original = (fn as T & { __original?: unknown }).__original;
  return typeof original === 'function' ? (original as T) : fn;
}

/** The driver, or undefined when the application has no `pg`. */
export function pgDriver(url: string, appDir: string, timeoutMs: number): DbDriver | undefined {
  const pg = requireFromApp<PgModule>(appDir, 'pg');
  if (pg === undefined || typeof pg.Client !== 'function') return undefined;
  const Client = pg.Client;
  const connect = unwrapped(Client.prototype.connect as Method);
  const query = unwrapped(Client.prototype.query as Method);
  let current: Promise<PgClient> | undefined;
  let idle: NodeJS.Timeout | undefined;

  /** Forgets `opened` (if it is still the connection in use) and ends it. */
  const drop = (opened: Promise<PgClient>, client: PgClient) => {
    if (current === opened) current = undefined;
    void end(client);
  };
  const open = (): Promise<PgClient> => {
    const client = new Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: `otelkit-health ${process.pid}`, // which instance probes, for the DBA
    });
    const opened: Promise<PgClient> = connect.call(client).then(() => {
      client.unref?.(); // never keeps the process alive
      return client;
    });
    // A failed or dropped connection: the next probe opens another one.
    opened.catch(() => drop(opened, client));
    client.on('error', () => drop(opened, client));
    client.on('end', () => {
      if (current === opened) current = undefined;
    });
    return opened;
  };

  return {
    client: 'pg',
    async ping() {
      if (idle !== undefined) clearTimeout(idle);
      const opened = (current ??= open());
      const client = await opened;
      try {
        await query.call(client, 'SELECT 1' as never);
      } catch (err) {
        drop(opened, client);
        throw err;
      } finally {
        idle = setTimeout(() => drop(opened, client), IDLE_MS).unref();
      }
    },
    async close() {
      if (idle !== undefined) clearTimeout(idle);
      const opened = current;
      current = undefined;
      const client = await opened?.catch(() => undefined);
      if (client !== undefined) await end(client);
    },
  };
}

function end(client: PgClient): Promise<void> {
  return client.end().catch(() => undefined);
}
