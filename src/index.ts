/** otelkit's public API. Everything else is internal. */
export { start, shutdown } from './start';
export type { StartOptions, Otelkit } from './start';
export type { Additions } from './sdk';
export { getRequestId } from './requests/request-id';
export { setRoute } from './requests/route';
export { trace, traceBlock } from './apm/trace';
export type { TraceWrapper } from './apm/trace';
export { trackQueryTime } from './db/track-query';
export type { TrackQueryOptions } from './db/track-query';
export { registerHealthCheck, recordRetry } from './health/registry';
export { registerCircuitBreaker } from './health/breakers';
export type {
  HealthCheck, HealthCheckOptions, CheckResult, CheckStatus, OverallStatus, RetryOutcome, CircuitBreakerStatus, RetryStatus,
} from './health/types';
export { monitoringHandler } from './server/handler';
export type { MonitoringRequestHandler, MonitoringHandlerOptions, NextFunction, KoaMiddleware, FastifyPlugin } from './server/handler';
export { logger, createLogger } from './logging/public';
