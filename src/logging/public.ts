/** What 'otelkit' exports for logging. Importing this module creates the shared logger. */
import type { Logger } from 'winston';
import { sharedLogger } from './shared';

/** Set by the preloads while they load otelkit, until the SDK has started. */
export const kPreloading = Symbol.for('otelkit.preloading');

/**
 * otelkit's winston logger (JSON or coloured text, LOG_FILE, redaction, request ids).
 * Under the preload it is made once the SDK has started, before any application code runs:
 * winston has to load after @opentelemetry/instrumentation-winston is enabled for the
 * application's own winston loggers to be instrumented.
 */
export let logger: Logger = (globalThis as Record<symbol, unknown>)[kPreloading] === true ? (undefined as unknown as Logger) : sharedLogger();

/** Makes `logger` if the preload has not yet (it calls this once otelkit has started). */
export function bindLogger(): void {
  logger ??= sharedLogger();
}

/** A child of `logger` whose lines carry `component`. */
export function createLogger(component: string): Logger {
  return sharedLogger().child({ component: String(component) });
}
