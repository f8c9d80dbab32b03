/** otelkit's public API. Everything else is internal. */
export { start, shutdown } from './start';
export type { StartOptions, Otelkit } from './start';
export { getRequestId } from './requests/request-id';
export { logger, createLogger } from './logging/public';
