/**
 * Admin requests run on the application's event loop, so the admin server spends only a
 * bounded share of it: at most RATE_PER_SECOND requests a second (bursts of BURST), and
 * — for requests whose answer can be large — only while the byte budget (budget.ts) is
 * not overdrawn and no other such answer is being built (so that the budget sees each
 * one's size before admitting the next). The others wait, without using the CPU, in a
 * queue of at most MAX_QUEUED for at most MAX_WAIT_MS, and past either bound are answered
 * 503 with Retry-After. A waiting request that the byte budget alone holds back does not
 * hold back the small ones behind it. Monitoring needs a few requests a second; a storm of scrapes no longer takes
 * the application's latency with it (measured in docs/RELIABILITY.md).
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
  /** Milliseconds until a large answer may be sent (the byte budget); none by default. */
  readonly bytesWaitMs?: () => number;
}

/** Serves a request; a promise returned is awaited before the next large answer starts. */
export type Run = () => void | Promise<unknown>;

interface Job {
  readonly run: Run;
  readonly refuse: () => void;
  readonly gone: () => boolean;
  readonly large: boolean;
  readonly at: number;
}

export interface Limiter {
  /**
   * Runs `run` now or later, or calls `refuse`; a job whose client `gone()` is dropped.
   * `large`: the answer can be large, so it also waits for the byte budget.
   */
  submit(run: Run, refuse: () => void, gone: () => boolean, large?: boolean): void;
  /** Refuses everything still waiting. */
  close(): void;
}

export function createLimiter(options: LimiterOptions = {}): Limiter {
  const rate = options.ratePerSecond ?? RATE_PER_SECOND;
  const burst = options.burst ?? BURST;
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  const maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
  const bytesWaitMs = options.bytesWaitMs ?? (() => 0);
  const queue: Job[] = [];
  let tokens = burst;
  let last = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let largeInFlight = false;

  const refill = () => {
    const now = performance.now();
    // An unlimited rate (Infinity) keeps the bucket full (Infinity × 0 would be NaN).
    tokens = rate === Infinity ? burst : Math.min(burst, tokens + ((now - last) * rate) / 1000);
    last = now;
  };
  /** Drains again after `ms` (a timer already set stays: it comes sooner or is for tokens). */
  const schedule = (ms: number) => {
    if (timer !== undefined || queue.length === 0) return;
    timer = setTimeout(drain, Math.max(1, ms));
    timer.unref();
  };
  /** Milliseconds a large answer must still wait: 0 it may start, -1 another one is being built. */
  const largeWait = () => (largeInFlight ? -1 : bytesWaitMs());
  const start = (job: { run: Run; large: boolean }) => {
    tokens -= 1;
    if (!job.large) return void job.run();
    largeInFlight = true;
    let running: void | Promise<unknown>;
    try {
      running = job.run();
    } catch {
      running = undefined;
    }
    // The next large answer waits until this one is written (and charged to the budget),
    // or maxWaitMs at most: a handler that never answers does not stop the others.
    let guard: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => {
      guard = setTimeout(resolve, maxWaitMs);
      guard.unref();
    });
    void Promise.race([Promise.resolve(running).catch(() => undefined), bounded]).then(() => {
      clearTimeout(guard);
      largeInFlight = false;
      if (queue.length > 0 && !draining) {
        clearTimeout(timer);
        drain();
      }
    });
  };
  let draining = false;
  /** Runs, in order, every waiting job that may run now; refuses those that waited too long. */
  function drain(): void {
    timer = undefined;
    draining = true;
    refill();
    const now = performance.now();
    // When to look again: for tokens, for the byte budget, or (while a large answer is being
    // built, whose end drains) once a second for jobs that waited too long.
    let next = Infinity;
    for (let i = 0; i < queue.length;) {
      const job = queue[i];
      if (job.gone()) {
        queue.splice(i, 1);
        continue;
      }
      if (now - job.at > maxWaitMs) {
        queue.splice(i, 1);
        job.refuse();
        continue;
      }
      if (tokens < 1) {
        next = Math.min(next, Math.ceil(((1 - tokens) * 1000) / rate));
        break;
      }
      const wait = job.large ? largeWait() : 0;
      if (wait === 0) {
        queue.splice(i, 1);
        start(job);
        continue;
      }
      next = Math.min(next, wait > 0 ? wait : 1000, Math.max(0, job.at + maxWaitMs - now) + 1);
      i++; // held back as a large answer; the small ones behind it may go
    }
    draining = false;
    if (Number.isFinite(next)) schedule(next);
  }

  return {
    submit(run, refuse, gone, large = false) {
      refill();
      if (queue.length === 0 && tokens >= 1 && (!large || largeWait() === 0)) return start({ run, large });
      options.onLimited?.();
      if (queue.length >= maxQueued) return refuse();
      queue.push({ run, refuse, gone, large, at: performance.now() });
      // With a token free, whatever may run now runs now, in order (a timer set may be
      // waiting for the byte budget only).
      if (tokens >= 1 || timer === undefined) {
        clearTimeout(timer);
        drain();
      }
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      for (const job of queue.splice(0)) job.refuse();
    },
  };
}
