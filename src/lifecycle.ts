/**
 * Flush on the way out without taking over how the application exits.
 *
 * - SIGTERM/SIGINT, app without a handler of its own: flush (bounded by the shutdown
 *   timeout), then re-raise the same signal with Node's default action restored, so the
 *   process ends exactly as it would have without otelkit (killed by that signal).
 * - SIGTERM/SIGINT, app with its own handler: start draining and flush in the background;
 *   the app decides when and how to exit.
 * - Natural end of the event loop (beforeExit): shut the SDK down once; the exit code is
 *   whatever the app set.
 */
import { componentLogger } from './diag';

const log = componentLogger('otelkit:shutdown');
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type Signal = (typeof SIGNALS)[number];

export interface LifecycleOptions {
  readonly timeoutMs: number;
  /** Push out what is buffered, keep running (the app still works while draining). */
  readonly flush: () => Promise<void>;
  /** Flush and stop everything. */
  readonly shutdown: () => Promise<void>;
  /** Called when a signal arrives: readiness turns 503. */
  readonly onDrain: () => void;
}

export interface Lifecycle {
  uninstall(): void;
}

/** Runs task, but never waits longer than ms. Reports a timeout; never rejects. */
export async function bounded(task: () => Promise<void>, ms: number, what: string, keepAlive = false): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    if (!keepAlive) timer.unref();
  });
  try {
    const result = await Promise.race([task().then(() => 'done' as const), timeout]);
    if (result === 'timeout') log.warn(`${what} did not finish within ${ms} ms; going on without it.`);
  } catch (err) {
    log.warn(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(timer);
  }
}

export function installLifecycle(options: LifecycleOptions): Lifecycle {
  let shutDown = false;
  const shutdownOnce = (keepAlive: boolean) => {
    if (shutDown) return Promise.resolve();
    shutDown = true;
    return bounded(options.shutdown, options.timeoutMs, 'telemetry shutdown', keepAlive);
  };

  const handlers = new Map<Signal, () => void>();
  for (const signal of SIGNALS) {
    const handler = () => onSignal(signal);
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  const onBeforeExit = () => {
    if (!shutDown) void shutdownOnce(false);
  };
  process.on('beforeExit', onBeforeExit);

  function uninstall(): void {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    process.removeListener('beforeExit', onBeforeExit);
  }

  function onSignal(signal: Signal): void {
    options.onDrain();
    const ours = handlers.get(signal);
    const appHandles = process.listeners(signal).some((l) => l !== ours);
    if (appHandles) {
      // The app owns the exit; help it by pushing telemetry out now.
      void bounded(options.flush, options.timeoutMs, 'telemetry flush');
      return;
    }
    // Nobody else listens: Node would have died of this signal. Flush, then die of it.
    uninstall();
    void shutdownOnce(true).then(() => process.kill(process.pid, signal));
  }

  return { uninstall };
}
