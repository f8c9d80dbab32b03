/**
 * Module-level registries of custom health checks, circuit breakers and retry counts, so
 * registerHealthCheck(), registerCircuitBreaker() and recordRetry() work before start(),
 * without it, and from a second copy of otelkit loaded in the same process (the store
 * lives on globalThis under a versioned symbol). Every registry is bounded.
 */
import { componentLogger, createWarnOnce } from '../diag';
import type { CircuitBreakerStatus, HealthCheck, HealthCheckOptions, RetryOutcome, RetryStatus } from './types';

export const MAX_CHECKS = 50;
export const MAX_BREAKERS = 100;
export const MAX_RETRY_NAMES = 100;
/** Retry names past MAX_RETRY_NAMES are counted here. */
export const OTHER = 'other';

/** Paths under /api/health that are not check names, and the built-in checks. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['detailed', 'live', 'ready', 'resilience', 'database', 'redis', 'system', 'process']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface RegisteredCheck {
  readonly check: HealthCheck;
  readonly critical: boolean;
}

export interface RegisteredBreaker {
  status(): CircuitBreakerStatus;
  /** Removes the listeners/wrappers installed on the breaker. */
  dispose(): void;
}

interface Store {
  readonly checks: Map<string, RegisteredCheck>;
  readonly breakers: Map<string, RegisteredBreaker>;
  readonly retries: Map<string, { attempts: number; retries: number; exhausted: number }>;
}

const kStore = Symbol.for('otelkit.health.registry.v1');
type Global = typeof globalThis & { [kStore]?: Store };

export function store(): Store {
  const g = globalThis as Global;
  return (g[kStore] ??= { checks: new Map(), breakers: new Map(), retries: new Map() });
}

const warnOnce = createWarnOnce(componentLogger('otelkit:health'));

export function validName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name);
}

/**
 * Adds (or replaces) a custom check, reported in /api/health/detailed and served at
 * /api/health/{name}. A bad name or check is a programming error and throws here.
 */
export function registerHealthCheck(name: string, check: HealthCheck, options: HealthCheckOptions = {}): void {
  if (!validName(name)) throw new TypeError(`otelkit: health check name must match ${NAME} (got ${JSON.stringify(String(name)).slice(0, 80)})`);
  if (RESERVED_NAMES.has(name)) throw new TypeError(`otelkit: "${name}" is reserved; choose another health check name`);
  if (typeof check !== 'function') throw new TypeError(`otelkit: health check "${name}" must be a function`);
  const { checks } = store();
  if (!checks.has(name) && checks.size >= MAX_CHECKS) throw new RangeError(`otelkit: at most ${MAX_CHECKS} health checks can be registered`);
  checks.set(name, { check, critical: options.critical === true });
}

/** Counts one attempt of a retried operation. Never throws: bad input is reported once and ignored. */
export function recordRetry(name: string, outcome: RetryOutcome): void {
  if (!validName(name)) return warnOnce('retry-name', `recordRetry: invalid name ${JSON.stringify(String(name)).slice(0, 80)} ignored (reported once)`);
  if (outcome !== 'success' && outcome !== 'retry' && outcome !== 'exhausted') {
    return warnOnce('retry-outcome', `recordRetry: outcome must be success, retry or exhausted (got ${JSON.stringify(String(outcome)).slice(0, 40)}); ignored (reported once)`);
  }
  const { retries } = store();
  let key = name;
  if (!retries.has(key) && retries.size >= MAX_RETRY_NAMES) {
    warnOnce('retry-cap', `recordRetry: more than ${MAX_RETRY_NAMES} names; further ones are counted under "${OTHER}"`);
    key = OTHER;
  }
  let entry = retries.get(key);
  if (entry === undefined) retries.set(key, (entry = { attempts: 0, retries: 0, exhausted: 0 }));
  entry.attempts++;
  if (outcome === 'retry') entry.retries++;
  else if (outcome === 'exhausted') entry.exhausted++;
}

export function retryStatuses(): RetryStatus[] {
  return [...store().retries].map(([name, r]) => ({ name, attempts: r.attempts, retries: r.retries, exhausted: r.exhausted }));
}

export function breakerStatuses(): CircuitBreakerStatus[] {
  return [...store().breakers.values()].map((b) => b.status());
}
