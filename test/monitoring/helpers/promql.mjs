// Metric names used by a PromQL expression, without a full parser: strings, label
// matchers, ranges and grouping clauses are blanked, then every identifier that is not a
// function call, keyword or number is a metric name. Good for the expressions of this
// pack (test/monitoring/promql.test.mjs pins its behaviour).
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

export function metricNames(expr) {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/#[^\n]*/g, ' ');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  const token = /(\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|[smhdwy])*)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gi;
  for (const m of s.matchAll(token)) {
    if (m[1] || m[3]) continue; // a number/duration, or a function call
    if (KEYWORDS.has(m[2].toLowerCase())) continue;
    names.add(m[2]);
  }
  return [...names];
}

/** Replaces Grafana's variables with values Prometheus can evaluate. */
export function substituteGrafana(expr, { job = '.+', instance = '.+', rateInterval = '30s', interval = '15s', range = '5m' } = {}) {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', interval)
    .replaceAll('$__range', range)
    .replace(/\$\{job\}|\$job\b/g, job)
    .replace(/\$\{instance\}|\$instance\b/g, instance);
}
