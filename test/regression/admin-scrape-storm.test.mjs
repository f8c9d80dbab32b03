// Regression: the admin server answered every request at once on the application's event
// loop, so 200 clients scraping /metrics in a closed loop (about 400 renders a second)
// took the application's own latency from a few milliseconds to seconds (p50 1–1.5 s,
// p99 2.8 s at 200 req/s on this project's 2-core machine). The admin server now serves
// at most 50 requests a second; the rest wait without using the CPU, or get 503.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startApp, fixture, freePort } from '../helpers/app.mjs';
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
    const t = performance.now();
    const loaded = await steady(`${app.url}/`, 2000, 100);
    await new Promise((r) => child.on('exit', r));
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
