// GET /api/metrics: the fields of docs/ENDPOINTS.md, application numbers equal to what Prometheus
// scrapes (one source), and the system/process readings as OpenTelemetry metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { parseProm } from './helpers/prom.mjs';
import { eventually, promSample } from './helpers/health.mjs';

const require = createRequire(import.meta.url);

function meminfoBytes(key) {
  const text = readFileSync('/proc/meminfo', 'latin1');
  return Number(new RegExp(`^${key}:\\s*(\\d+) kB`, 'm').exec(text)[1]) * 1024;
}

async function withExpressApp(fn) {
  const adminPort = await freePort();
  const app = await startApp(fixture('express-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort) } });
  try {
    await fn({ app, admin: `http://127.0.0.1:${adminPort}` });
  } finally {
    await app.stop();
  }
}

test('/api/metrics: every field, and application numbers from the same histogram Prometheus scrapes', async () => {
  await withExpressApp(async ({ app, admin }) => {
    for (const path of ['/users/1', '/users/2', '/api/items/a', '/fail', '/nowhere']) await get(`${app.url}${path}`);
    // The first sample lands right after start; wait for it so the system block is filled.
    const { json } = await eventually(async () => {
      const r = await get(`${admin}/api/metrics`);
      return r.json.process.threads !== null && r.json.system.disk !== null && r;
    });
    assert.deepEqual(Object.keys(json).sort(), ['application', 'process', 'system']);
    const { application: a, system: s, process: p } = json;
    assert.deepEqual(Object.keys(a).sort(), ['avg_response_time_ms', 'error_rate', 'requests_by_status', 'requests_total', 'uptime_seconds']);
    assert.deepEqual(a.requests_by_status, { 200: 3, 404: 1, 500: 1 });
    assert.equal(a.requests_total, 5);
    assert.equal(a.error_rate, 0.2);
    assert.ok(a.avg_response_time_ms > 0 && a.avg_response_time_ms < 5000);
    assert.ok(a.uptime_seconds > 0);

    const scrape = parseProm((await get(`${admin}/metrics`)).text);
    const counts = scrape.filter((x) => x.name === 'http_server_request_duration_seconds_count');
    const byStatus = {};
    for (const c of counts) byStatus[c.labels.http_response_status_code] = (byStatus[c.labels.http_response_status_code] ?? 0) + c.value;
    assert.deepEqual(byStatus, a.requests_by_status, 'the same numbers as the scrape');
    const sum = scrape.filter((x) => x.name === 'http_server_request_duration_seconds_sum').reduce((t, x) => t + x.value, 0);
    assert.ok(Math.abs((sum / 5) * 1000 - a.avg_response_time_ms) < 0.01);

    assert.deepEqual(Object.keys(s).sort(), ['cpu_percent', 'disk', 'memory']);
    assert.deepEqual(Object.keys(s.memory).sort(), ['percent', 'total_bytes', 'used_bytes']);
    assert.deepEqual(Object.keys(s.disk).sort(), ['path', 'percent', 'total_bytes', 'used_bytes']);
    for (const v of [s.cpu_percent, s.memory.percent, s.disk.percent]) assert.ok(v >= 0 && v <= 100, String(v));
    assert.ok(s.memory.used_bytes > 0 && s.memory.used_bytes < s.memory.total_bytes);
    // What the kernel says (Linux): total is MemTotal; used is MemTotal less MemAvailable,
    // within 5% of the total for what changed between the sample and this read.
    const total = meminfoBytes('MemTotal');
    assert.equal(s.memory.total_bytes, total);
    assert.ok(Math.abs(s.memory.used_bytes - (total - meminfoBytes('MemAvailable'))) < 0.05 * total, JSON.stringify(s.memory));
    assert.ok(Math.abs(s.memory.percent - (s.memory.used_bytes / s.memory.total_bytes) * 100) < 0.01);
    assert.ok(s.disk.used_bytes > 0 && s.disk.used_bytes < s.disk.total_bytes);
    assert.equal(s.disk.path[0], '/');

    assert.deepEqual(Object.keys(p).filter((k) => k !== 'unavailable').sort(), [
      'cpu_percent', 'event_loop_delay_p99_ms', 'heap_limit_bytes', 'heap_used_bytes', 'node_version', 'open_fds', 'pid', 'rss_bytes', 'threads', 'uptime_seconds',
    ]);
    // A null figure comes with its reason (the event-loop delay, before the second sample).
    assert.deepEqual(Object.keys(p.unavailable ?? {}), Object.keys(p).filter((k) => p[k] === null));
    assert.equal(p.node_version, process.versions.node, 'the child runs this test\'s node');
    assert.ok(p.heap_limit_bytes > p.heap_used_bytes, JSON.stringify(p));
    assert.ok(p.event_loop_delay_p99_ms === null || p.event_loop_delay_p99_ms >= 0, 'null until the second sample');
    assert.equal(p.pid, app.child.pid);
    assert.ok(p.rss_bytes > p.heap_used_bytes && p.heap_used_bytes > 0);
    assert.ok(p.cpu_percent >= 0 && p.cpu_percent <= 100);
    assert.ok(p.threads >= 2 && p.open_fds > 3, JSON.stringify(p));
    assert.ok(p.uptime_seconds >= a.uptime_seconds);
  });
});

test('system and process readings are OpenTelemetry metrics, with their Prometheus names', async () => {
  await withExpressApp(async ({ admin }) => {
    const text = await eventually(async () => {
      const t = (await get(`${admin}/metrics`)).text;
      return promSample(t, 'process_open_file_descriptor_count') && promSample(t, 'system_filesystem_utilization_ratio') && t;
    });
    for (const name of ['system_cpu_utilization_ratio', 'system_memory_utilization_ratio', 'system_filesystem_utilization_ratio', 'process_cpu_utilization_ratio']) {
      const sample = promSample(text, name);
      assert.ok(sample, name);
      assert.ok(sample.value >= 0 && sample.value <= 1, `${name} ${sample.value}`);
      assert.match(text, new RegExp(`# TYPE ${name} gauge`));
    }
    assert.equal(promSample(text, 'system_filesystem_utilization_ratio').labels.system_filesystem_mountpoint[0], '/');
    assert.ok(promSample(text, 'process_memory_usage_bytes').value > 1e6);
    assert.ok(promSample(text, 'process_open_file_descriptor_count').value > 3);
    assert.ok(promSample(text, 'process_uptime_seconds').value > 0);
    assert.ok(promSample(text, 'nodejs_eventloop_delay_p99_seconds'), 'event-loop delay from instrumentation-runtime-node');
  });
});

test('without /proc/meminfo the memory reading comes from systeminformation, the same figure', async () => {
  const { readMemory } = require('../dist/src/metrics/readings.js');
  const reading = await readMemory('/nonexistent/meminfo');
  assert.ok(require.cache[require.resolve('systeminformation/lib/memory')], 'systeminformation answered');
  // systeminformation's mem() reads the kernel's own /proc/meminfo on this (Linux) machine.
  const total = meminfoBytes('MemTotal');
  assert.equal(reading.totalBytes, total);
  assert.ok(Math.abs(reading.usedBytes - (total - meminfoBytes('MemAvailable'))) < 0.05 * total, JSON.stringify(reading));
});

test('with /proc/meminfo systeminformation is not loaded into the process', () => {
  const readings = require.resolve('../dist/src/metrics/readings.js');
  const loaded = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(readings)}).readMemory().then((r) => console.log(
    JSON.stringify({ total: r.totalBytes, si: Object.keys(require.cache).filter((k) => k.includes('systeminformation')) })))`], { encoding: 'utf8' });
  const { total, si } = JSON.parse(loaded);
  assert.equal(total, meminfoBytes('MemTotal'));
  assert.deepEqual(si, []);
});
