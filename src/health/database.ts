/**
 * The database check: a real `SELECT 1` against DATABASE_URL through the application's
 * own driver, chosen by the URL's scheme — postgres(ql):// through `pg`, mysql:// and
 * mariadb:// through `mysql2` or `mariadb` (database-pg.ts, database-mysql.ts). Without
 * DATABASE_URL: not_configured; when the app has no driver for the scheme, or the scheme
 * is one otelkit cannot probe: not_configured with an error saying so (and the check is
 * not critical). The URL is served masked.
 */
import { maskUrl } from './mask';
import { errorText, type CheckDef } from './run';
import type { CheckResult } from './types';
import { pgDriver } from './database-pg';
import { mysqlDriver } from './database-mysql';

/** One driver's connection to the database, as the probe uses it. */
export interface DbDriver {
  /** Which driver of the app probes (served as `client`). */
  readonly client: string;
  /** Runs `SELECT 1`, bounded by the health timeout; rejects with the driver's error. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A driver, or why there is none. */
type Resolved = DbDriver | { readonly missing: string };

export interface Probe extends CheckDef {
  shutdown(): Promise<void>;
}

function schemeOf(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return m ? m[1].toLowerCase() : '';
}

function resolveDriver(url: string, appDir: string, timeoutMs: number): Resolved {
  const scheme = schemeOf(url);
  switch (scheme) {
    case 'postgres':
    case 'postgresql':
      return pgDriver(url, appDir, timeoutMs) ?? { missing: 'pg not installed' };
    case 'mysql':
    case 'mariadb':
      return mysqlDriver(url, scheme, appDir, timeoutMs)
        ?? { missing: 'no MySQL/MariaDB driver installed: the application needs mysql2 or mariadb for a mysql:// or mariadb:// DATABASE_URL' };
    default:
      return { missing: `no probe for ${scheme ? `${scheme}://` : 'this kind of'} URL (postgres, postgresql, mysql, mariadb)` };
  }
}

export function createDatabaseProbe(url: string, appDir: string, timeoutMs: number): Probe {
  const target = url ? maskUrl(url) : undefined;
  let resolved: Resolved | undefined;
  let closed = false;
  const driver = () => (resolved ??= resolveDriver(url, appDir, timeoutMs));

  return {
    name: 'database',
    timed: true,
    get critical() {
      return url !== '' && !(resolved !== undefined && 'missing' in resolved);
    },
    async run(): Promise<CheckResult> {
      if (!url) return { status: 'not_configured' };
      const d = driver();
      if ('missing' in d) return { status: 'not_configured', error: d.missing, target };
      if (closed) return { status: 'down', error: 'shut down', client: d.client, target };
      try {
        await d.ping();
        return { status: 'ok', client: d.client, target };
      } catch (err) {
        return { status: 'down', error: errorText(err), client: d.client, target };
      }
    },
    async shutdown() {
      closed = true;
      if (resolved !== undefined && !('missing' in resolved)) await resolved.close().catch(() => undefined);
    },
  };
}
