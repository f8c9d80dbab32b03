/**
 * A budget of response bytes per second for otelkit's endpoints. The request bound
 * (limit.ts) counts requests, not what they cost: one slow-query page can be megabytes of
 * JSON to build and send. Every answer is charged its body's size after it is written;
 * while the balance is negative, answers that can be large wait (admin server) or are
 * refused with 503 (the application's own port), until the balance refills at
 * BYTES_PER_SECOND. Health answers are small and must stay prompt for probes: they are
 * charged but never held back. The debt is floored at MAX_DEBT_SECONDS of budget, so no
 * single large answer holds the others back longer than that.
 */
import { performance } from 'node:perf_hooks';

export const BYTES_PER_SECOND = 1024 * 1024;
export const MAX_DEBT_SECONDS = 2;

export interface ByteBudget {
  /** Milliseconds until a large answer may be sent (0: now). */
  waitMs(): number;
  /** Counts `bytes` sent. */
  charge(bytes: number): void;
}

export function createByteBudget(bytesPerSecond = BYTES_PER_SECOND): ByteBudget {
  const burst = bytesPerSecond;
  const floor = -MAX_DEBT_SECONDS * bytesPerSecond;
  let balance = burst;
  let last = performance.now();
  const refill = () => {
    const now = performance.now();
    balance = Math.min(burst, balance + ((now - last) * bytesPerSecond) / 1000);
    last = now;
  };
  return {
    waitMs() {
      refill();
      return balance > 0 ? 0 : Math.ceil(((1 - balance) * 1000) / bytesPerSecond);
    },
    charge(bytes) {
      refill();
      balance = Math.max(floor, balance - bytes);
    },
  };
}

/** Health paths (/api/health, /api/health/…): small answers that probes need promptly. */
export function isHealthPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith('/api/health')) return false;
  const next = url.charAt('/api/health'.length);
  return next === '' || next === '/' || next === '?';
}
