/**
 * MySQL and MariaDB for the database check, through the application's own driver:
 * `mysql2` first for mysql://, `mariadb` first for mariadb://, the other one otherwise.
 * Each probe opens one connection (connect timeout = the health timeout), runs
 * `SELECT 1` and closes it: latency_ms covers connecting and the query, and nothing is
 * left open to keep the process alive or to be dropped by the server while idle.
 */
import { requireFromApp } from './app-require';
import type { DbDriver } from './database';

interface MysqlConnection {
  query(sql: string | { sql: string; timeout?: number }): Promise<unknown>;
  on(event: 'error', listener: (err: Error) => void): unknown;
  end(): Promise<void>;
  destroy(): void;
}
type Connect = (options: Record<string, unknown>) => Promise<MysqlConnection>;

const noop = () => undefined;

/** The driver, or undefined when the application has neither mysql2 nor mariadb. */
export function mysqlDriver(url: string, scheme: 'mysql' | 'mariadb', appDir: string, timeoutMs: number): DbDriver | undefined {
  const order = scheme === 'mariadb' ? [fromMariadb, fromMysql2] : [fromMysql2, fromMariadb];
  for (const load of order) {
    const driver = load(appDir, url, timeoutMs);
    if (driver !== undefined) return driver;
  }
  return undefined;
}

function fromMysql2(appDir: string, url: string, timeoutMs: number): DbDriver | undefined {
  const mysql = requireFromApp<{ createConnection?: Connect }>(appDir, 'mysql2/promise');
  if (typeof mysql?.createConnection !== 'function') return undefined;
  const connect = mysql.createConnection;
  // mysql2 reads the URL itself (any scheme), query parameters included.
  return probeWith('mysql2', () => connect({ uri: url, connectTimeout: timeoutMs }), { sql: 'SELECT 1', timeout: timeoutMs });
}

function fromMariadb(appDir: string, url: string, timeoutMs: number): DbDriver | undefined {
  const mariadb = requireFromApp<{ createConnection?: Connect }>(appDir, 'mariadb');
  if (typeof mariadb?.createConnection !== 'function') return undefined;
  const connect = mariadb.createConnection;
  // The mariadb driver takes only mariadb:// strings; the URL's parts as options instead.
  // socketTimeout, not queryTimeout: the latter is a MariaDB server feature, and MySQL refuses it.
  return probeWith('mariadb', () => connect({ ...urlOptions(url), connectTimeout: timeoutMs, socketTimeout: timeoutMs }), 'SELECT 1');
}

function probeWith(client: string, open: () => Promise<MysqlConnection>, select: string | { sql: string; timeout?: number }): DbDriver {
  let closed = false;
  return {
    client,
    async ping() {
      if (closed) throw new Error('shut down');
      const conn = await open();
      conn.on('error', noop); // a late socket error must not become an unhandled 'error' event
      try {
        await conn.query(select);
      } finally {
        conn.end().catch(() => conn.destroy());
      }
    },
    async close() {
      closed = true;
    },
  };
}

/** host, port, user, password, database and any ?name=value of a mysql:// URL. */
function urlOptions(url: string): Record<string, unknown> {
  const u = new URL(url);
  const options: Record<string, unknown> = {};
  for (const [key, value] of u.searchParams) options[key] = parseValue(value);
  options.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname || 'localhost';
  if (u.port) options.port = Number(u.port);
  if (u.username) options.user = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (database) options.database = database;
  return options;
}

function parseValue(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}
