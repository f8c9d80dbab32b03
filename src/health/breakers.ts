/**
 * registerCircuitBreaker(): reads opossum and cockatiel breakers by their shape (both are
 * the application's dependencies; otelkit never imports them). Counts are cumulative from
 * registration, taken from the breaker's own events; the state is read from the breaker
 * whenever /api/health/resilience is served.
 *
 * - opossum `CircuitBreaker`: events success, failure (timeouts included), reject, fallback;
 *   state from `opened` / `halfOpen` / `isShutdown`.
 * - cockatiel `CircuitBreakerPolicy`: onSuccess, onFailure; state from `state`; rejects are
 *   the BrokenCircuitError/IsolatedCircuitError rejections of `execute` (counted by a thin
 *   wrapper on that one instance, removed when the name is registered again). Cockatiel
 *   fallbacks are separate policies, so `fallbacks` stays 0 for cockatiel breakers.
 */
import { MAX_BREAKERS, store, validName, type RegisteredBreaker } from './registry';
import { reportError } from '../guard';
import type { CircuitBreakerStatus } from './types';

interface Counts {
  failures: number;
  successes: number;
  rejects: number;
  fallbacks: number;
}

type Listener = (...args: unknown[]) => void;

interface OpossumLike {
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  fire: unknown;
  readonly opened: boolean;
  readonly halfOpen: boolean;
  readonly isShutdown?: boolean;
}

interface Disposable {
  dispose(): void;
}

interface CockatielLike {
  readonly state: number;
  onSuccess(listener: Listener): Disposable;
  onFailure(listener: Listener): Disposable;
  onBreak: unknown;
  onReset: unknown;
  execute: (...args: unknown[]) => Promise<unknown>;
}

function isOpossum(b: unknown): b is OpossumLike {
  const o = b as Partial<OpossumLike> | null;
  return !!o && typeof o.on === 'function' && typeof o.removeListener === 'function' && typeof o.fire === 'function' && 'opened' in o && 'halfOpen' in o;
}

function isCockatiel(b: unknown): b is CockatielLike {
  const c = b as Partial<CockatielLike> | null;
  return !!c && typeof c.onSuccess === 'function' && typeof c.onFailure === 'function' && typeof c.onBreak === 'function'
    && typeof c.onReset === 'function' && typeof c.execute === 'function' && typeof c.state === 'number';
}

const COCKATIEL_STATES = ['closed', 'open', 'half_open', 'isolated'];

/** A breaker whose state cannot be read is reported as `unknown` (warned once), not as a failed endpoint. */
function readState(name: string, read: () => string): string {
  try {
    return read();
  } catch (err) {
    reportError(`circuit breaker ${name} state`, err);
    return 'unknown';
  }
}

function adaptOpossum(name: string, breaker: OpossumLike): RegisteredBreaker {
  const counts: Counts = { failures: 0, successes: 0, rejects: 0, fallbacks: 0 };
  const listeners: Record<string, Listener> = {
    success: () => void counts.successes++,
    failure: () => void counts.failures++,
    reject: () => void counts.rejects++,
    fallback: () => void counts.fallbacks++,
  };
  for (const [event, fn] of Object.entries(listeners)) breaker.on(event, fn);
  return {
    status: () => ({ name, state: readState(name, () => (breaker.isShutdown ? 'shutdown' : breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed')), ...counts }),
    dispose: () => {
      for (const [event, fn] of Object.entries(listeners)) breaker.removeListener(event, fn);
    },
  };
}

function adaptCockatiel(name: string, breaker: CockatielLike): RegisteredBreaker {
  const counts: Counts = { failures: 0, successes: 0, rejects: 0, fallbacks: 0 };
  const subscriptions = [breaker.onSuccess(() => void counts.successes++), breaker.onFailure(() => void counts.failures++)];
  const hadOwnExecute = Object.prototype.hasOwnProperty.call(breaker, 'execute');
  const original = breaker.execute;
  const wrapped = function execute(this: unknown, ...args: unknown[]): Promise<unknown> {
    return original.apply(this, args).then(undefined, (err: unknown) => {
      // IsolatedCircuitError extends BrokenCircuitError: both are rejections by the breaker.
      if ((err as { isBrokenCircuitError?: boolean } | null)?.isBrokenCircuitError === true) counts.rejects++;
      throw err;
    });
  };
  breaker.execute = wrapped;
  return {
    status: () => ({ name, state: readState(name, () => COCKATIEL_STATES[breaker.state] ?? String(breaker.state)), ...counts }),
    dispose: () => {
      for (const s of subscriptions) s.dispose();
      if (breaker.execute !== wrapped) return;
      if (hadOwnExecute) breaker.execute = original;
      else delete (breaker as Partial<CockatielLike>).execute;
    },
  };
}

/**
 * Reports a circuit breaker at /api/health/resilience. Accepts opossum and cockatiel
 * breakers; anything else, or a bad name, is a programming error and throws here.
 * Registering a name again replaces the earlier breaker.
 */
export function registerCircuitBreaker(name: string, breaker: unknown): void {
  if (!validName(name)) throw new TypeError(`otelkit: circuit breaker name must be 1–64 characters of A–Z a–z 0–9 _ . - (got ${JSON.stringify(String(name)).slice(0, 80)})`);
  const adapt = isOpossum(breaker) ? adaptOpossum : isCockatiel(breaker) ? adaptCockatiel : undefined;
  if (adapt === undefined) throw new TypeError(`otelkit: circuit breaker "${name}" is neither an opossum CircuitBreaker nor a cockatiel CircuitBreakerPolicy`);
  const { breakers } = store();
  const previous = breakers.get(name);
  if (previous === undefined && breakers.size >= MAX_BREAKERS) throw new RangeError(`otelkit: at most ${MAX_BREAKERS} circuit breakers can be registered`);
  previous?.dispose();
  breakers.set(name, adapt(name, breaker as never));
}

export type { CircuitBreakerStatus };
