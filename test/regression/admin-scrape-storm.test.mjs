// Regression: the admin server answered every request at once on the application's event
// loop, so 200 clients scraping /metrics in a closed loop (about 400 renders a second)
// took the application's own latency from a few milliseconds to seconds (p50 1–1.5 s,
// p99 2.8 s at 200 req/s on this project's 2-core machine). The admin server now serves
// at most 50 requests a second; the rest wait without using the CPU, or get 503.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { percentile, steady } from '../helpers/load.mjs';

test('a /metrics storm from 200 clients: admin throughput bounded, the app keeps its latency', async () => {
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort) } });
  try {
    const child = spawn(process.execPath, [fixture('scrape-storm.mjs')], {
      env: { ...process.env, TARGETS: `GET http://127.0.0.1:${promPort}/metrics`, CONCURRENCY: '200', DURATION_MS: '2000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((r) => child.on('exit', r));
    const t = performance.now();
    const loaded = await steady(`${app.url}/`, 2000, 100);
    await exited;
    const seconds = (performance.now() - t) / 1000;
    const counts = JSON.parse(out)['GET /metrics'];
    const served = counts['200'] ?? 0;
    // 10 at once, then 50 a second, over the storm and the drain of the requests waiting.
    assert.ok(served <= 10 + 50 * seconds + 10, `${served} scrapes served in ${seconds.toFixed(1)} s`);
    assert.deepEqual(Object.keys(counts).filter((s) => s !== '200' && s !== '503'), []);
    assert.equal(loaded.errors.length, 0);
    const p50 = percentile(loaded.latencies, 0.5);
    assert.ok(p50 < 250, `app p50 ${p50.toFixed(0)} ms during the storm`);
    assert.equal(app.output().split('\n').filter((l) => /over 50 requests\/s/.test(l)).length, 1, app.output());
  } finally {
    await app.stop();
  }
});

// Regression: the request bound did not bound the cost of a request. With 1,000 slow-query
// records of ~2 KB, 20 clients reading /api/performance/slow-queries?limit=10000 (2 MB of
// JSON built per request, 50 a second) took the app's p50 from 1.1 ms to 3.7 s. Pages are
// now capped at 1,000 records, a page is serialised once per change of the store, and the
// admin server sends at most a budget of bytes a second.
for (const [where, env] of [['the admin port', {}], ['monitoringHandler() on the app\'s port', { MONITORING_HANDLER: '1' }]]) {
  test(`2 MB slow-query pages read by 20 clients on ${where}: bytes served bounded, the app keeps its latency`, async () => {
    await pageStorm(where, env);
  });
}

async function pageStorm(where, env) {
  const promPort = await freePort();
  const app = await startApp(fixture('slow-records-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_SLOW_QUERY_MS: '0', RECORDS: '1000', ...env },
  });
  try {
    const admin = env.MONITORING_HANDLER ? app.url : `http://127.0.0.1:${promPort}`;
    const page = await fetch(`${admin}/api/performance/slow-queries?limit=1000`);
    const body = await page.text();
    assert.equal(page.status, 200);
    assert.ok(JSON.parse(body).queries.length >= 1000 && body.length > 1.8e6, `${body.length} bytes`);
    await steady(`${app.url}/`, 1000, 100); // warm-up
    const base = await steady(`${app.url}/`, 2000, 100);
    const child = spawn(process.execPath, [fixture('scrape-storm.mjs')], {
      env: { ...process.env, TARGETS: `GET ${admin}/api/performance/slow-queries?limit=1000`, CONCURRENCY: '20', DURATION_MS: '3000', COUNT_BYTES: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((r) => child.on('exit', r));
    const t = performance.now();
    const loaded = await steady(`${app.url}/`, 3000, 100);
    await exited;
    const seconds = (performance.now() - t) / 1000;
    const result = JSON.parse(out);
    const counts = result['GET /api/performance/slow-queries'];
    const mb = (result.bytes['GET /api/performance/slow-queries'] ?? 0) / 2 ** 20;
    const p = (xs, q) => percentile(xs, q).toFixed(1);
    console.log(`# slow-query page storm on ${where} (20 clients, ~2 MB pages, ${seconds.toFixed(1)} s): ${JSON.stringify(counts)}, ${mb.toFixed(1)} MiB served; `
      + `app at 100 req/s p50 ${p(base.latencies, 0.5)} → ${p(loaded.latencies, 0.5)} ms, p99 ${p(base.latencies, 0.99)} → ${p(loaded.latencies, 0.99)} ms`);
    assert.equal(loaded.errors.length, 0);
    assert.deepEqual(Object.keys(counts).filter((s) => s !== '200' && s !== '503'), []);
    // 1 MiB a second, a page over the balance at a time: far below what the clients asked for.
    assert.ok(mb <= 2 * seconds + 4, `${mb.toFixed(1)} MiB served in ${seconds.toFixed(1)} s`);
    const p50 = percentile(loaded.latencies, 0.5);
    assert.ok(p50 < 100, `app p50 ${p50.toFixed(0)} ms during the storm`);
    await new Promise((r) => setTimeout(r, 2100)); // the budget refills
    const over = await get(`${admin}/api/performance/slow-queries?limit=10000`);
    assert.deepEqual([over.status, over.json.error], [400, 'bad_request']);
  } finally {
    await app.stop();
  }
}
