/**
 * What the status page polls, and how often: the JSON endpoints, relative to the page
 * (so that it works under a monitoringHandler() prefix such as /ops/). The benchmark of
 * the page's cost (bench/status-page.mjs) polls the same list at the same rate.
 */
export const POLL_INTERVAL_MS = 5000;

/** Points of per-route history the page keeps in memory (5 minutes at POLL_INTERVAL_MS). */
export const HISTORY_POINTS = 60;

export const POLLED = Object.freeze({
  health: 'api/health',
  metrics: 'api/metrics',
  detailed: 'api/health/detailed',
  resilience: 'api/health/resilience',
  apm: 'api/performance/apm/stats',
  slow: 'api/performance/slow-queries/stats',
  nPlusOne: 'api/performance/n-plus-one?limit=100',
  errors: 'api/performance/errors?limit=50',
});

/** The stores the page can clear (DELETE, admin only), with what the button says. */
export const CLEARABLE = Object.freeze({
  errors: { path: 'api/performance/errors', what: 'recent errors' },
  apm: { path: 'api/performance/apm', what: 'APM statistics' },
  slow: { path: 'api/performance/slow-queries', what: 'slow queries' },
  nPlusOne: { path: 'api/performance/n-plus-one', what: 'N+1 detections' },
});
