/**
 * Admin requests run on the application's event loop, so the admin server spends only a
 * bounded share of it: at most RATE_PER_SECOND requests a second (bursts of BURST); the
 * others wait, without using the CPU, in a queue of at most MAX_QUEUED for at most
 * MAX_WAIT_MS, and past either bound are answered 503 with Retry-After. Monitoring needs
 * a few requests a second; a storm of scrapes no longer takes the application's latency
 * with it (measured in docs/RELIABILITY.md).
 */
import { performance } from 'node:perf_hooks';

export const RATE_PER_SECOND = 50;
export const BURST = 10;
export const MAX_QUEUED = 256;
export const MAX_WAIT_MS = 10_000;

export interface LimiterOptions {
  readonly ratePerSecond?: number;
  readonly burst?: number;
  readonly maxQueued?: number;
  readonly maxWaitMs?: number;
  /** Called whenever a request has to wait or is refused. */
  readonly onLimited?: () => void;
}

interface Job {
  readonly run: () => void;
  readonly refuse: () => void;
  readonly gone: () => boolean;
  readonly at: number;
}

export interface Limiter {
  /** Runs `run` now or later, or calls `refuse`; a job whose client `gone()` is dropped. */
  submit(run: () => void, refuse: () => void, gone: () => boolean): void;
  /** Refuses everything still waiting. */
  close(): void;
}

export function createLimiter(options: LimiterOptions = {}): Limiter {
  const rate = options.ratePerSecond ?? RATE_PER_SECOND;
  const burst = options.burst ?? BURST;
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  const queue: Job[] = [];
  let tokens = burst;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;

  const refill = () => {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
    last = now;
  };
  const schedule = () => {
    if (timer !== undefined || queue.length === 0) return;
    timer = setTimeout(drain, Math.max(1, Math.ceil(((1 - tokens) * 1000) / rate)));
    timer.unref();
  };
  function drain(): void {
    timer = undefined;
    refill();
    const now = performance.now();
    while (queue.length > 0 && tokens >= 1) {
      const job = queue.shift() as Job;
      if (job.gone()) continue;
      if (now - job.at > maxWaitMs) {
        job.refuse();
        continue;
      }
      tokens -= 1;
      job.run();
    }
    schedule();
  }

  return {
    submit(run, refuse, gone) {
      refill();
      if (queue.length === 0 && tokens >= 1) {
        tokens -= 1;
        return run();
      }
      options.onLimited?.();
      if (queue.length >= maxQueued) return refuse();
      queue.push({ run, refuse, gone, at: performance.now() });
      schedule();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      for (const job of queue.splice(0)) job.refuse();
    },
  };
}
