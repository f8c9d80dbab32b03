/** Public types of health checks and resilience reporting (re-exported from src/index.ts). */

/** Status of one component. `not_configured`: nothing to probe (no URL, no driver). */
export type CheckStatus = 'ok' | 'warn' | 'down' | 'not_configured';

/** Overall status of /api/health/detailed. */
export type OverallStatus = 'ok' | 'degraded' | 'down';

/** One check's result as served: status plus any snake_case details. */
export interface CheckResult {
  readonly status: CheckStatus;
  readonly latency_ms?: number;
  readonly error?: string;
  readonly [detail: string]: unknown;
}

/**
 * A custom check: sync or async; `true`/`false` mean ok/down, or return
 * `{ status: 'ok' | 'warn' | 'down', ...details }`. Throwing or rejecting means down.
 */
export type HealthCheck = () =>
  | boolean
  | { readonly status: 'ok' | 'warn' | 'down'; readonly [detail: string]: unknown }
  | Promise<boolean | { readonly status: 'ok' | 'warn' | 'down'; readonly [detail: string]: unknown }>;

export interface HealthCheckOptions {
  /** A critical check that is down makes detailed health 503 and readiness fail (default false). */
  readonly critical?: boolean;
}

/**
 * What one attempt of a retried operation ended with:
 * - `success`: the attempt succeeded (whether first or after retries);
 * - `retry`: the attempt failed and another one follows;
 * - `exhausted`: the attempt failed and no attempts are left (the operation failed).
 */
export type RetryOutcome = 'success' | 'retry' | 'exhausted';

export interface CircuitBreakerStatus {
  readonly name: string;
  /** closed, open, half_open (cockatiel also isolated; opossum also shutdown); unknown when the breaker's state cannot be read. */
  readonly state: string;
  readonly failures: number;
  readonly successes: number;
  readonly rejects: number;
  readonly fallbacks: number;
}

export interface RetryStatus {
  readonly name: string;
  readonly attempts: number;
  readonly retries: number;
  readonly exhausted: number;
}
