/** What 'otelkit' exports for logging. Importing this module creates the shared logger. */
import type { Logger } from 'winston';
import { sharedLogger } from './shared';

/** otelkit's winston logger (JSON or coloured text, LOG_FILE, redaction, request ids). */
export const logger: Logger = sharedLogger();

/** A child of `logger` whose lines carry `component`. */
export function createLogger(component: string): Logger {
  return sharedLogger().child({ component: String(component) });
}
