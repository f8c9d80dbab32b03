// Alert and recording rules: promtool validates and unit-tests them; the alerts match the
// list of the monitoring issue (names, severities, thresholds, durations); every alert
// is labelled for routing and inhibition, annotated, and has a runbook entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsCommands } from '../helpers/needs.mjs';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  PROMETHEUS_DIR, RULE_TESTS, MONITORING_MD, ruleFiles, alertRules, recordingRules, readYaml, run, markdownAnchors,
} from './helpers/pack.mjs';

test('promtool check rules accepts every rule file', { skip: needsCommands('promtool') }, async () => {
  const files = ruleFiles();
  assert.ok(files.length >= 2, files.join());
  const r = await run('promtool', ['check', 'rules', ...files]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS: 18 rules found/);
});

test('promtool test rules: every unit test passes', { skip: needsCommands('promtool') }, async () => {
  const r = await run('promtool', ['test', 'rules', basename(RULE_TESTS)], { cwd: `${PROMETHEUS_DIR}/tests` });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
});

test('the unit tests have a firing and a non-firing case for every alert', () => {
  const cases = new Map();
  for (const t of readYaml(RULE_TESTS).tests) {
    for (const c of t.alert_rule_test ?? []) {
      const entry = cases.get(c.alertname) ?? { firing: 0, silent: 0 };
      if ((c.exp_alerts ?? []).length > 0) entry.firing++;
      else entry.silent++;
      cases.set(c.alertname, entry);
    }
  }
  const names = alertRules().map((r) => r.alert);
  for (const name of names) {
    const c = cases.get(name);
    assert.ok(c && c.firing >= 1 && c.silent >= 1, `${name}: ${JSON.stringify(c ?? 'no test case')}`);
  }
  assert.deepEqual([...cases.keys()].filter((n) => !names.includes(n)), [], 'test cases for alerts that do not exist');
});

// The list: severity, threshold (as written in the expression) and `for`.
const REQUIRED = {
  ServiceDown: ['critical', '== 0', '1m'],
  DatabaseConnectionFailed: ['critical', '== 0', '1m'],
  RedisConnectionFailed: ['critical', '== 0', '1m'],
  DiskUsageCritical: ['critical', '> 0.9', '5m'],
  HighResponseTime: ['warning', '> 1', '5m'],
  HighErrorRate: ['warning', '> 0.05', '5m'],
  HighMemoryUsage: ['warning', '> 0.85', '10m'],
  HighCpuUsage: ['warning', '> 0.8', '10m'],
  DatabaseLatencyHigh: ['warning', '> 0.1', '5m'],
  RedisLatencyHigh: ['warning', '> 0.05', '5m'],
  ServiceRestarted: ['info', '< 300', undefined],
  SlowQueriesIncreasing: ['info', '> 0', '5m'],
  // Node.js additions
  EventLoopDelayHigh: ['warning', '> 0.2', '5m'],
  HeapNearLimit: ['warning', '> 0.9', '5m'],
  TelemetrySpansDropped: ['warning', '> 0', '2m'],
  TelemetryExportFailing: ['warning', '> 0', '5m'],
  NPlusOneQueriesDetected: ['info', '> 0', undefined],
  HealthCheckFailing: ['warning', '== 0', '2m'],
};

test('alerts: the required names, severities, thresholds and durations', () => {
  const rules = Object.fromEntries(alertRules().map((r) => [r.alert, r]));
  assert.deepEqual(Object.keys(rules).sort(), Object.keys(REQUIRED).sort());
  for (const [name, [severity, threshold, forDuration]] of Object.entries(REQUIRED)) {
    const r = rules[name];
    assert.equal(r.labels.severity, severity, name);
    assert.ok(r.expr.trim().endsWith(threshold), `${name}: ${r.expr} should end with ${threshold}`);
    assert.equal(r.for, forDuration, name);
  }
  // the exact signals behind the list
  assert.match(rules.ServiceDown.expr, /^up == 0$/);
  assert.match(rules.DatabaseConnectionFailed.expr, /otelkit_health_check_up\{check="database"\}/);
  assert.match(rules.RedisConnectionFailed.expr, /otelkit_health_check_up\{check="redis"\}/);
  assert.match(rules.DiskUsageCritical.expr, /system_filesystem_utilization_ratio/);
  assert.match(rules.HighResponseTime.expr, /http_server_request_duration_seconds:mean5m/);
  assert.match(rules.HighErrorRate.expr, /http_server_errors_5xx:ratio_rate5m/);
  assert.match(rules.HighMemoryUsage.expr, /system_memory_utilization_ratio/);
  assert.match(rules.HighCpuUsage.expr, /system_cpu_utilization_ratio/);
  assert.match(rules.DatabaseLatencyHigh.expr, /otelkit_health_check_latency_seconds\{check="database"\}/);
  assert.match(rules.RedisLatencyHigh.expr, /otelkit_health_check_latency_seconds\{check="redis"\}/);
  assert.match(rules.HeapNearLimit.expr, /v8js_memory_heap_used_bytes[\s\S]*\/[\s\S]*v8js_memory_heap_limit_bytes/);
});

test('every alert: severity, component, summary, description, and a runbook entry in docs/MONITORING.md', () => {
  const anchors = markdownAnchors(readFileSync(MONITORING_MD, 'utf8'));
  const components = new Set(['service', 'http', 'database', 'redis', 'host', 'runtime', 'telemetry', 'health']);
  for (const r of alertRules()) {
    assert.ok(['critical', 'warning', 'info'].includes(r.labels?.severity), `${r.alert} severity`);
    assert.ok(components.has(r.labels?.component), `${r.alert} component ${r.labels?.component}`);
    assert.ok(r.annotations?.summary?.length > 10, `${r.alert} summary`);
    assert.ok(r.annotations?.description?.length > 20, `${r.alert} description`);
    const m = /^docs\/MONITORING\.md#(.+)$/.exec(r.annotations?.runbook_url ?? '');
    assert.ok(m, `${r.alert} runbook_url ${r.annotations?.runbook_url}`);
    assert.equal(m[1], r.alert.toLowerCase(), `${r.alert}: the anchor is the alert name`);
    assert.ok(anchors.has(m[1]), `${r.alert}: no heading "${r.alert}" in docs/MONITORING.md`);
  }
});

test('every alert keeps job and instance (inhibition and routing group by them)', () => {
  for (const r of alertRules()) {
    const agg = [...r.expr.matchAll(/\b(?:sum|max|min|avg|count)\s+by\s*\(([^)]*)\)/g)].map((m) => m[1].split(',').map((s) => s.trim()));
    for (const labels of agg) assert.ok(labels.includes('job') && labels.includes('instance'), `${r.alert}: by (${labels})`);
  }
  for (const r of recordingRules()) {
    assert.match(r.record, /^job_instance/, r.record);
  }
});
