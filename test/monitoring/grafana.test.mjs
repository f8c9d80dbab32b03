// Grafana provisioning and the otelkit dashboard: the provider loads the dashboard
// directory, the dashboard uses the provisioned Prometheus uid, has the job and instance
// variables, filters every query by them, and is what build-dashboard.mjs generates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GRAFANA_DIR, DASHBOARD_JSON, COMPOSE_YML, readYaml, readJson, dashboardQueries, variableSelectors } from './helpers/pack.mjs';

const dashboard = readJson(DASHBOARD_JSON);
const datasources = readYaml(join(GRAFANA_DIR, 'provisioning', 'datasources', 'otelkit.yml')).datasources;

test('the dashboard provider loads the directory compose mounts the dashboards into', () => {
  const { providers } = readYaml(join(GRAFANA_DIR, 'provisioning', 'dashboards', 'otelkit.yml'));
  assert.equal(providers.length, 1);
  assert.equal(providers[0].type, 'file');
  const mounts = readYaml(COMPOSE_YML).services.grafana.volumes.map((v) => v.split(':'));
  const mounted = mounts.find(([, dst]) => dst === providers[0].options.path);
  assert.ok(mounted, `nothing mounted at ${providers[0].options.path}`);
  assert.equal(mounted[0], './grafana/dashboards');
  assert.ok(readdirSync(join(GRAFANA_DIR, 'dashboards')).includes('otelkit-service.json'));
});

test('every panel, target and variable uses the provisioned Prometheus datasource uid', () => {
  const prom = datasources.find((d) => d.type === 'prometheus');
  assert.equal(prom.uid, 'prometheus');
  assert.equal(prom.isDefault, true);
  const uids = new Set();
  const visit = (o) => {
    if (Array.isArray(o)) o.forEach(visit);
    else if (o && typeof o === 'object') {
      if (o.datasource && o.datasource.type !== 'grafana') uids.add(`${o.datasource.type}/${o.datasource.uid}`);
      Object.values(o).forEach(visit);
    }
  };
  visit(dashboard.panels);
  visit(dashboard.templating);
  assert.deepEqual([...uids], ['prometheus/prometheus']);
  // the other datasources link traces and logs to each other by uid
  const byUid = Object.fromEntries(datasources.map((d) => [d.uid, d]));
  assert.equal(byUid[byUid.jaeger.jsonData.tracesToLogsV2.datasourceUid].type, 'loki');
  assert.equal(byUid[byUid.loki.jsonData.derivedFields[0].datasourceUid].type, 'jaeger');
});

test('template variables job and instance; every query is filtered by both', () => {
  const vars = variableSelectors(dashboard);
  assert.deepEqual(vars.map((v) => v.name), ['job', 'instance']);
  assert.equal(vars[0].label, 'job');
  assert.equal(vars[1].label, 'instance');
  assert.match(vars[1].selector, /job=~"\$job"/, 'instance follows the chosen job');
  const queries = dashboardQueries(dashboard);
  assert.ok(queries.length >= 40, `${queries.length} queries`);
  for (const q of queries) assert.match(q.expr, /job=~"\$job", instance=~"\$instance"/, `${q.panel} ${q.refId}`);
});

test('the dashboard covers what the issue lists', () => {
  const titles = dashboard.panels.map((p) => p.title).join('\n');
  const exprs = dashboardQueries(dashboard).map((q) => q.expr).join('\n');
  for (const t of ['Requests / s by route', '5xx ratio by route', 'Latency p50 / p95 / p99 by route', 'APM operations', 'Slow queries', 'N+1', 'Dependency health', 'Health probe latency', 'CPU', 'Memory', 'Disk', 'Event-loop delay', 'GC', 'Heap', 'Span queue']) {
    assert.ok(titles.includes(t), t);
  }
  for (const m of ['otelkit_apm_calls_total', 'otelkit_apm_latency_seconds', 'otelkit_db_slow_queries_total', 'otelkit_db_n_plus_one_total', 'otelkit_health_check_up', 'v8js_gc_duration_seconds_sum', 'otel_sdk_processor_span_queue_size']) {
    assert.ok(exprs.includes(m), m);
  }
  const ids = dashboard.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
  assert.equal(dashboard.uid, 'otelkit-service');
});

test('the committed JSON is what build-dashboard.mjs generates', async () => {
  const { render } = await import('../../monitoring/grafana/build-dashboard.mjs');
  assert.equal(readFileSync(DASHBOARD_JSON, 'utf8'), render(), 'run: node monitoring/grafana/build-dashboard.mjs');
});
