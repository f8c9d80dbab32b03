/**
 * Nothing otelkit runs on the application's behalf may throw into it. guard() wraps a
 * callback invoked from the app's own call stack (a diagnostics channel, a hook, a span
 * processor) so that an error is reported once per site and swallowed.
 */
import { componentLogger, createWarnOnce } from './diag';

const warnOnce = createWarnOnce(componentLogger('otelkit:guard'));

export function guard<A extends unknown[]>(site: string, fn: (...args: A) => void): (...args: A) => void {
  return function guarded(this: unknown, ...args: A): void {
    try {
      fn.apply(this, args);
    } catch (err) {
      reportError(site, err);
    }
  };
}

export function reportError(site: string, err: unknown): void {
  warnOnce(site, `${site} failed and was skipped (reported once): ${err instanceof Error ? err.message : String(err)}`);
}
