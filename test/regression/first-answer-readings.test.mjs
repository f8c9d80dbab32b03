// Regression: for about a second after start (until the sampler's first sample),
// /api/metrics answered rss_bytes: 0 and heap_used_bytes: 0, and detailed health left out
// every system and process figure ("first sample pending"). Figures Node gives
// synchronously are now always real; sampled ones are taken before the first answer
// (a bounded wait), or served as null with the reason — never as 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const SYSTEM = ['cpu_percent', 'memory', 'disk'];
const PROCESS = ['cpu_percent', 'threads', 'open_fds'];

/** Every listed figure is a real value, or null with a reason under `unavailable`. */
function assertRealOrExplained(section, fields, where) {
  for (const field of fields) {
    const value = section[field];
    if (value === null) assert.equal(typeof section.unavailable?.[field], 'string', `${where}.${field} is null without a reason`);
    else assert.ok(value !== undefined && value !== 0, `${where}.${field} = ${JSON.stringify(value)}`);
  }
}

test('the first /api/metrics and /api/health/detailed after start: no 0 in place of a figure, nothing left out', async () => {
  const port = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
  try {
    const base = `http://127.0.0.1:${port}`;
    const t = performance.now();
    const [metrics, detailed] = await Promise.all([get(`${base}/api/metrics`), get(`${base}/api/health/detailed`)]);
    console.log(`# first /api/metrics and /api/health/detailed after start: answered in ${(performance.now() - t).toFixed(0)} ms; `
      + `rss_bytes ${metrics.json.process.rss_bytes}, threads ${metrics.json.process.threads}, memory.total_bytes ${metrics.json.system.memory?.total_bytes}`);
    assert.equal(metrics.status, 200, metrics.text);
    const { system, process: proc } = metrics.json;
    assert.equal(proc.pid, app.child.pid);
    assert.ok(proc.rss_bytes > 10 * 2 ** 20, `rss_bytes ${proc.rss_bytes}`);
    assert.ok(proc.heap_used_bytes > 2 ** 20, `heap_used_bytes ${proc.heap_used_bytes}`);
    assertRealOrExplained(system, SYSTEM, 'system');
    assertRealOrExplained(proc, PROCESS, 'process');
    // Linux has every figure: the first answer waited for the first sample.
    assert.ok(system.memory.total_bytes > 0 && system.disk.total_bytes > 0, metrics.text);
    assert.ok(proc.threads > 0 && proc.open_fds > 0, metrics.text);

    assert.equal(detailed.status, 200, detailed.text);
    const checks = detailed.json.checks;
    assert.equal(checks.process.pid, app.child.pid);
    assert.ok(checks.process.rss_bytes > 10 * 2 ** 20, JSON.stringify(checks.process));
    assert.ok(checks.process.heap_used_bytes > 0 && checks.process.heap_limit_bytes > 0, JSON.stringify(checks.process));
    assertRealOrExplained(checks.process, ['cpu_percent', 'threads', 'open_fds', 'event_loop_delay_p99_ms'], 'checks.process');
    assertRealOrExplained(checks.system, ['cpu_percent', 'memory_percent', 'disk_percent'], 'checks.system');
    assert.ok(checks.system.memory_percent > 0 && typeof checks.system.disk_path === 'string', JSON.stringify(checks.system));
    assert.equal(checks.process.event_loop_delay_p99_ms, null, 'measured from the second sample on');
  } finally {
    await app.stop();
  }
});

test('when the first sample is not ready within the wait: sampled figures null with the reason, synchronous ones real', async () => {
  const { createSampler } = await import('../../dist/src/metrics/sampler.js');
  const { metricsJsonHandler } = await import('../../dist/src/metrics/json.js');
  const { processCheck, systemCheck } = await import('../../dist/src/health/builtin.js');
  const sampler = createSampler(process.cwd());
  try {
    // No wait: the sample asked for here cannot have finished. Every handler below gets this
    // same answer (the sample takes a few ms, and would otherwise land between them).
    const first = await sampler.settled(0);
    let source = async () => first;
    const readings = () => source();
    const handler = metricsJsonHandler({
      startedAt: Date.now(),
      requests: async () => ({ requestsTotal: 0, byStatus: {}, avgResponseTimeMs: 0, errorRate: 0 }),
      readings,
    });
    const { body } = await handler({});
    assert.ok(body.process.rss_bytes > 0 && body.process.heap_used_bytes > 0, JSON.stringify(body.process));
    assert.ok(body.process.cpu_percent > 0, 'process CPU since start is known synchronously');
    assert.deepEqual([body.system.cpu_percent, body.system.memory, body.system.disk], [null, null, null]);
    assert.deepEqual(Object.keys(body.system.unavailable).sort(), ['cpu_percent', 'disk', 'memory']);
    assert.match(body.system.unavailable.memory, /first sample/);
    assert.deepEqual(Object.keys(body.process.unavailable).sort(), ['event_loop_delay_p99_ms', 'open_fds', 'threads']);
    assert.match(body.process.unavailable.event_loop_delay_p99_ms, /second sample/);
    const proc = await processCheck(readings).run();
    assert.ok(proc.rss_bytes > 0 && proc.heap_limit_bytes > 0);
    assert.match(proc.unavailable.threads, /first sample/);
    const system = await systemCheck(readings).run();
    assert.equal(system.status, 'ok');
    assert.match(system.unavailable.disk_percent, /first sample/);
    await sampler.ready; // the sample asked for goes on, and then every figure is there
    source = () => sampler.settled(0);
    const later = (await handler({})).body;
    assert.ok(later.system.memory.total_bytes > 0 && later.process.threads > 0);
    assert.equal(later.system.unavailable, undefined);
  } finally {
    sampler.shutdown();
  }
});
