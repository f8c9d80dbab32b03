#!/usr/bin/env node
// Builds dashboards/otelkit-service.json, the Grafana dashboard for services instrumented
// with otelkit. Edit the panels here, then run:
//
//   node monitoring/grafana/build-dashboard.mjs
//
// (test/monitoring/grafana.test.mjs fails when the committed JSON is not what this file
// produces). Every query uses only metric names otelkit exports (or the recording rules
// of ../prometheus/rules), filtered by the $job and $instance template variables.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: 'prometheus' };
const F = 'job=~"$job", instance=~"$instance"';
const RI = '$__rate_interval';

let nextId = 1;
let y = 0;
const panels = [];

function row(title) {
  panels.push({ type: 'row', id: nextId++, title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
  y += 1;
}

/** Lays out panels left to right, `w` wide each, on one grid row of height `h`. */
function line(h, ...items) {
  let x = 0;
  for (const item of items) {
    panels.push({ ...item, id: nextId++, gridPos: { h, w: item.w, x, y } });
    delete panels.at(-1).w;
    x += item.w;
  }
  y += h;
}

const target = (expr, legendFormat = '', extra = {}) => ({ datasource: DS, expr, legendFormat, refId: '', ...extra });
const withRefIds = (targets) => targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) }));

function timeseries(title, unit, targets, { w = 12, description, stack = false, min } = {}) {
  return {
    type: 'timeseries',
    title,
    description,
    w,
    datasource: DS,
    targets: withRefIds(targets),
    fieldConfig: {
      defaults: {
        unit,
        min,
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: stack ? 30 : 10, showPoints: 'never', stacking: { mode: stack ? 'normal' : 'none', group: 'A' } },
      },
      overrides: [],
    },
    options: {
      legend: { showLegend: true, displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max', 'lastNotNull'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  };
}

function stat(title, unit, expr, { w = 4, description, thresholds, decimals } = {}) {
  return {
    type: 'stat',
    title,
    description,
    w,
    datasource: DS,
    targets: withRefIds([target(expr)]),
    fieldConfig: {
      defaults: {
        unit,
        decimals,
        color: { mode: 'thresholds' },
        thresholds: { mode: 'absolute', steps: thresholds ?? [{ color: 'green', value: null }] },
      },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' },
  };
}

const steps = (...pairs) => [{ color: 'green', value: null }, ...pairs.map(([value, color]) => ({ color, value }))];

// ------------------------------------------------------------------ overview
row('Overview');
line(4,
  stat('Targets up', 'none', `sum(up{${F}})`, { description: 'Scrape targets answering (Prometheus `up`). ServiceDown fires after 1 minute at 0.' }),
  stat('Requests / s', 'reqps', `sum(job_instance:http_server_requests:rate5m{${F}})`),
  stat('5xx ratio (5m)', 'percentunit', `max(job_instance:http_server_errors_5xx:ratio_rate5m{${F}})`, { thresholds: steps([0.01, 'orange'], [0.05, 'red']), decimals: 2, description: 'HighErrorRate fires above 5 % for 5 minutes.' }),
  stat('Mean response time (5m)', 's', `max(job_instance:http_server_request_duration_seconds:mean5m{${F}})`, { thresholds: steps([0.5, 'orange'], [1, 'red']), description: 'HighResponseTime fires above 1 s for 5 minutes.' }),
  stat('p99 response time (5m)', 's', `max(job_instance:http_server_request_duration_seconds:p99_5m{${F}})`),
  stat('Firing alerts', 'none', `sum(ALERTS{alertstate="firing", ${F}}) or vector(0)`, { thresholds: steps([1, 'red']) }),
);
line(5, {
  type: 'table',
  title: 'Instances',
  description: 'target_info: the resource attributes of each instance (service name and version, host, pid).',
  w: 24,
  datasource: DS,
  targets: withRefIds([target(`target_info{${F}}`, '', { instant: true, format: 'table' })]),
  fieldConfig: { defaults: {}, overrides: [] },
  options: { showHeader: true },
  transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } }],
});

// ------------------------------------------------------------------ HTTP
row('HTTP server (per route)');
line(8,
  timeseries('Requests / s by route', 'reqps', [
    target(`sum by (http_request_method, http_route) (rate(http_server_request_duration_seconds_count{${F}}[${RI}]))`, '{{http_request_method}} {{http_route}}'),
  ], { stack: true }),
  timeseries('Responses / s by status code', 'reqps', [
    target(`sum by (http_response_status_code) (rate(http_server_request_duration_seconds_count{${F}}[${RI}]))`, '{{http_response_status_code}}'),
  ], { stack: true }),
);
line(8,
  timeseries('5xx ratio by route', 'percentunit', [
    target(`sum by (http_route) (rate(http_server_request_duration_seconds_count{${F}, http_response_status_code=~"5.."}[${RI}])) / sum by (http_route) (rate(http_server_request_duration_seconds_count{${F}}[${RI}]))`, '{{http_route}}'),
  ], { min: 0 }),
  timeseries('Latency p50 / p95 / p99 by route', 's', [
    target(`histogram_quantile(0.5, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{${F}}[${RI}])))`, 'p50 {{http_route}}'),
    target(`histogram_quantile(0.95, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{${F}}[${RI}])))`, 'p95 {{http_route}}'),
    target(`histogram_quantile(0.99, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{${F}}[${RI}])))`, 'p99 {{http_route}}'),
  ]),
);
line(8,
  timeseries('Outgoing HTTP: p95 latency by host', 's', [
    target(`histogram_quantile(0.95, sum by (server_address, le) (rate(http_client_request_duration_seconds_bucket{${F}}[${RI}])))`, '{{server_address}}'),
  ], { w: 24 }),
);

// ------------------------------------------------------------------ APM
row('APM operations');
line(8,
  timeseries('Calls / s by operation (top 10)', 'ops', [
    target(`topk(10, sum by (operation, kind) (rate(otelkit_apm_calls_total{${F}}[${RI}])))`, '{{kind}} {{operation}}'),
  ]),
  timeseries('Errors / s by operation', 'ops', [
    target(`sum by (operation, kind) (rate(otelkit_apm_errors_total{${F}}[${RI}])) > 0`, '{{kind}} {{operation}}'),
  ]),
);
line(8,
  timeseries('p95 latency by operation (top 10)', 's', [
    target(`topk(10, max by (operation, kind) (otelkit_apm_latency_seconds{${F}, quantile="0.95"}))`, '{{kind}} {{operation}}'),
  ], { w: 10 }),
  timeseries('Mean time per call by operation (top 10)', 's', [
    target(`topk(10, sum by (operation, kind) (rate(otelkit_apm_time_seconds_total{${F}}[${RI}])) / sum by (operation, kind) (rate(otelkit_apm_calls_total{${F}}[${RI}])))`, '{{kind}} {{operation}}'),
  ], { w: 10 }),
  stat('Operations over the cap', 'none', `sum(increase(otelkit_apm_overflowed_total{${F}}[$__range])) or vector(0)`, {
    thresholds: steps([1, 'orange']),
    description: 'Spans counted under "other" because OTELKIT_APM_MAX_OPERATIONS was reached in the time range.',
  }),
);

// ------------------------------------------------------------------ database and Redis
row('Database and Redis');
line(8,
  timeseries('Query p95 by operation', 's', [
    target(`histogram_quantile(0.95, sum by (db_system_name, db_operation_name, le) (rate(db_client_operation_duration_seconds_bucket{${F}}[${RI}])))`, '{{db_system_name}} {{db_operation_name}}'),
  ]),
  timeseries('Queries / s by operation', 'ops', [
    target(`sum by (db_system_name, db_operation_name) (rate(db_client_operation_duration_seconds_count{${F}}[${RI}]))`, '{{db_system_name}} {{db_operation_name}}'),
  ], { stack: true }),
);
line(8,
  timeseries('Slow queries / min', 'none', [
    target(`sum by (db_system_name, db_operation_name) (rate(otelkit_db_slow_queries_total{${F}}[${RI}])) * 60`, '{{db_system_name}} {{db_operation_name}}'),
  ], { description: 'Database calls at or over OTELKIT_SLOW_QUERY_MS. The statements are at /api/performance/slow-queries.' }),
  timeseries('N+1 detections by route', 'none', [
    target(`sum by (http_route) (increase(otelkit_db_n_plus_one_total{${F}}[${RI}]))`, '{{http_route}}'),
  ], { description: 'Requests that ran one statement shape OTELKIT_N_PLUS_ONE_MIN times or more. Details at /api/performance/n-plus-one.' }),
);
line(8,
  timeseries('Dependency health (1 up, 0 down)', 'none', [
    target(`max by (check) (otelkit_health_check_up{${F}})`, '{{check}}'),
  ], { w: 8, min: 0 }),
  timeseries('Health probe latency', 's', [
    target(`max by (check) (otelkit_health_check_latency_seconds{${F}})`, '{{check}}'),
  ], { w: 8, description: 'DatabaseLatencyHigh fires above 100 ms, RedisLatencyHigh above 50 ms, both for 5 minutes.' }),
  timeseries('Connection pool', 'none', [
    target(`sum by (db_client_connection_state) (db_client_connection_count{${F}})`, '{{db_client_connection_state}}'),
    target(`sum(db_client_connection_pending_requests{${F}})`, 'waiting for a connection'),
    target(`sum(db_client_connection_max{${F}})`, 'max'),
  ], { w: 8 }),
);

// ------------------------------------------------------------------ host and process
row('Host and process');
line(8,
  timeseries('CPU', 'percentunit', [
    target(`max by (instance) (system_cpu_utilization_ratio{${F}})`, 'system {{instance}}'),
    target(`max by (instance) (process_cpu_utilization_ratio{${F}})`, 'process {{instance}}'),
  ], { w: 8, min: 0 }),
  timeseries('Memory', 'percentunit', [
    target(`max by (instance) (system_memory_utilization_ratio{${F}})`, 'system {{instance}}'),
  ], { w: 8, min: 0 }),
  timeseries('Disk usage by mount point', 'percentunit', [
    target(`max by (system_filesystem_mountpoint) (system_filesystem_utilization_ratio{${F}})`, '{{system_filesystem_mountpoint}}'),
  ], { w: 8, min: 0 }),
);
line(8,
  timeseries('Process memory (RSS)', 'bytes', [
    target(`sum by (instance) (process_memory_usage_bytes{${F}})`, '{{instance}}'),
  ], { w: 8 }),
  timeseries('Open file descriptors', 'none', [
    target(`sum by (instance) (process_open_file_descriptor_count{${F}})`, '{{instance}}'),
  ], { w: 8 }),
  timeseries('Uptime', 's', [
    target(`max by (instance) (process_uptime_seconds{${F}})`, '{{instance}}'),
  ], { w: 8 }),
);

// ------------------------------------------------------------------ Node.js runtime
row('Node.js runtime');
line(8,
  timeseries('Event-loop delay', 's', [
    target(`max by (instance) (nodejs_eventloop_delay_p50_seconds{${F}})`, 'p50 {{instance}}'),
    target(`max by (instance) (nodejs_eventloop_delay_p90_seconds{${F}})`, 'p90 {{instance}}'),
    target(`max by (instance) (nodejs_eventloop_delay_p99_seconds{${F}})`, 'p99 {{instance}}'),
    target(`max by (instance) (nodejs_eventloop_delay_max_seconds{${F}})`, 'max {{instance}}'),
    target(`max by (instance) (nodejs_eventloop_delay_mean_seconds{${F}})`, 'mean {{instance}}'),
  ], { w: 8, description: 'EventLoopDelayHigh fires when p99 stays above 200 ms for 5 minutes.' }),
  timeseries('Event-loop utilization', 'percentunit', [
    target(`max by (instance) (nodejs_eventloop_utilization_ratio{${F}})`, '{{instance}}'),
    target(`sum by (instance) (rate(nodejs_eventloop_time_seconds_total{${F}, nodejs_eventloop_state="active"}[${RI}]))`, 'active s/s {{instance}}'),
  ], { w: 8, min: 0 }),
  timeseries('GC time / s by type', 's', [
    target(`sum by (v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${F}}[${RI}]))`, '{{v8js_gc_type}}'),
  ], { w: 8, stack: true }),
);
line(8,
  timeseries('Heap used vs limit', 'bytes', [
    target(`sum by (instance) (v8js_memory_heap_used_bytes{${F}})`, 'used {{instance}}'),
    target(`sum by (instance) (v8js_memory_heap_limit_bytes{${F}})`, 'limit {{instance}}'),
  ], { w: 8, description: 'HeapNearLimit fires above 90 % of the limit for 5 minutes.' }),
  timeseries('Heap spaces', 'bytes', [
    target(`sum by (v8js_heap_space_name) (v8js_memory_heap_used_bytes{${F}})`, 'used {{v8js_heap_space_name}}'),
    target(`sum(v8js_memory_heap_space_size_bytes{${F}})`, 'size (all spaces)'),
    target(`sum(v8js_memory_heap_space_physical_size_bytes{${F}})`, 'physical (all spaces)'),
    target(`sum(v8js_memory_heap_space_available_size_bytes{${F}})`, 'available (all spaces)'),
  ], { w: 8 }),
  timeseries('Active resources by type', 'none', [
    target(`sum by (v8js_resource_type) (v8js_resource_active{${F}})`, '{{v8js_resource_type}}'),
  ], { w: 8, stack: true }),
);

// ------------------------------------------------------------------ telemetry export
row('Telemetry export (when OTLP export is on)');
line(8,
  timeseries('Span queue', 'none', [
    target(`sum by (instance) (otel_sdk_processor_span_queue_size{${F}})`, 'queued {{instance}}'),
    target(`sum by (instance) (otel_sdk_processor_span_queue_capacity{${F}})`, 'capacity {{instance}}'),
    target(`sum by (instance) (otel_sdk_exporter_span_inflight{${F}})`, 'in flight {{instance}}'),
  ], { w: 8 }),
  timeseries('Spans processed / s (error_type = dropped)', 'ops', [
    target(`sum by (error_type) (rate(otel_sdk_processor_span_processed_total{${F}}[${RI}]))`, '{{error_type}}'),
  ], { w: 8, description: 'A series with an error_type (queue_full) counts dropped spans: TelemetrySpansDropped.' }),
  timeseries('Spans exported / s (error_type = failed)', 'ops', [
    target(`sum by (error_type) (rate(otel_sdk_exporter_span_exported_total{${F}}[${RI}]))`, '{{error_type}}'),
  ], { w: 8, description: 'A series with an error_type counts spans whose export failed: TelemetryExportFailing.' }),
);

function variable(name, query) {
  return {
    type: 'query',
    name,
    label: name,
    datasource: DS,
    definition: query,
    query: { query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.+',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
  };
}

export const dashboard = {
  uid: 'otelkit-service',
  title: 'otelkit service',
  description: 'Services instrumented with otelkit: HTTP, APM, database, host, Node.js runtime and telemetry export.',
  tags: ['otelkit', 'nodejs', 'opentelemetry'],
  timezone: 'browser',
  editable: true,
  graphTooltip: 1,
  refresh: '30s',
  schemaVersion: 39,
  version: 1,
  time: { from: 'now-1h', to: 'now' },
  annotations: {
    list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
  },
  templating: {
    list: [
      variable('job', 'label_values(target_info, job)'),
      variable('instance', 'label_values(target_info{job=~"$job"}, instance)'),
    ],
  },
  links: [],
  panels,
};

export const OUTPUT = fileURLToPath(new URL('./dashboards/otelkit-service.json', import.meta.url));
export const render = () => JSON.stringify(dashboard, null, 2) + '\n';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, render());
  console.log(`wrote ${OUTPUT} (${panels.length} panels)`);
}
