/** What 'otelkit' exports for logging. */
import type { Logger } from 'winston';
import { sharedLogger } from './shared';

/**
 * otelkit's winston logger (JSON or coloured text, LOG_FILE, redaction, request ids).
 * It is made on first use: under the preload that is after the SDK has started, and
 * winston has to load after @opentelemetry/instrumentation-winston is enabled for the
 * application's own winston loggers to be instrumented. Until then this export stands for
 * it; every property and method is the logger's, and `instanceof` sees its class.
 */
export const logger: Logger = lazyLogger();

/** A child of `logger` whose lines carry `component`. */
export function createLogger(component: string): Logger {
  return sharedLogger().child({ component: String(component) });
}

function lazyLogger(): Logger {
  // Methods are bound to the logger once, so `const { info } = logger` and
  // `logger.info === logger.info` behave as on the logger itself.
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  return new Proxy({} as Logger, {
    get(_target, key) {
      const real = sharedLogger();
      const value = Reflect.get(real, key, real) as unknown;
      if (typeof value !== 'function') return value;
      const hit = bound.get(key);
      if (hit?.fn === value) return hit.bound;
      const fn = (value as (...args: unknown[]) => unknown).bind(real);
      bound.set(key, { fn: value, bound: fn });
      return fn;
    },
    set: (_target, key, value) => Reflect.set(sharedLogger(), key, value),
    has: (_target, key) => Reflect.has(sharedLogger(), key),
    deleteProperty: (_target, key) => Reflect.deleteProperty(sharedLogger(), key),
    ownKeys: () => Reflect.ownKeys(sharedLogger()),
    getOwnPropertyDescriptor(_target, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(sharedLogger(), key);
      // A proxy may report a property only as configurable when its target lacks it.
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(sharedLogger()),
  });
}
