/**
 * Detailed health: every check runs in parallel, each bounded by OTELKIT_HEALTH_TIMEOUT_MS;
 * the result is reused for OTELKIT_HEALTH_CACHE_MS, and callers arriving while a run is
 * under way share it, so a storm of health calls is one round of probes.
 */
import { runCheck, type CheckDef } from './run';
import type { Masker } from './mask';
import type { CheckResult, OverallStatus } from './types';

export interface Snapshot {
  readonly status: OverallStatus;
  readonly timestamp: string;
  readonly checks: Readonly<Record<string, CheckResult>>;
  /** Names of the critical checks (configured ones only). */
  readonly critical: readonly string[];
  /** Critical checks that are down. */
  readonly failing: readonly string[];
  /** When the run finished (ms since epoch). */
  readonly at: number;
}

export interface HealthRunner {
  /** The cached snapshot if fresh, the run in flight, or a new run. Never rejects. */
  run(): Promise<Snapshot>;
  /** The last completed snapshot, if any. */
  last(): Snapshot | undefined;
}

export interface RunnerOptions {
  readonly checks: () => readonly CheckDef[];
  readonly timeoutMs: number;
  readonly cacheMs: number;
  readonly mask: Masker;
}

export function createHealthRunner(options: RunnerOptions): HealthRunner {
  let last: Snapshot | undefined;
  let inflight: Promise<Snapshot> | undefined;

  async function runAll(): Promise<Snapshot> {
    const defs = options.checks();
    const results = await Promise.all(defs.map((d) => runCheck(d, options.timeoutMs, options.mask)));
    const checks: Record<string, CheckResult> = {};
    const critical: string[] = [];
    const failing: string[] = [];
    let degraded = false;
    defs.forEach((def, i) => {
      const result = results[i];
      checks[def.name] = result;
      if (result.status === 'not_configured') return;
      if (def.critical) critical.push(def.name);
      if (result.status === 'down' && def.critical) failing.push(def.name);
      else if (result.status === 'down' || result.status === 'warn') degraded = true;
    });
    const status: OverallStatus = failing.length > 0 ? 'down' : degraded ? 'degraded' : 'ok';
    const at = Date.now();
    return { status, timestamp: new Date(at).toISOString(), checks, critical, failing, at };
  }

  return {
    last: () => last,
    run() {
      if (last !== undefined && Date.now() - last.at < options.cacheMs) return Promise.resolve(last);
      inflight ??= runAll()
        .then((snapshot) => (last = snapshot))
        .finally(() => {
          inflight = undefined;
        });
      return inflight;
    },
  };
}
