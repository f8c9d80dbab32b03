/** otelkit's public API. Everything else is internal. */
export { start, shutdown } from './start';
export type { StartOptions, Otelkit } from './start';
export { getRequestId } from './requests/request-id';
export { trace, traceBlock } from './apm/trace';
export type { TraceWrapper } from './apm/trace';
export { trackQueryTime } from './db/track-query';
export type { TrackQueryOptions } from './db/track-query';
