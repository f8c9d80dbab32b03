// Exporting to a collector that is down, hung or refusing must cost the app nothing but
// bounded memory: no crash, no unhandled rejection, drops counted, export resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';

const LONG = process.env.OTELKIT_LONG_TESTS === '1';
const SERVER = 2;

/** Sends requests at a steady pace for ms; returns their latencies. */
async function steadyLoad(url, ms, perSecond = 200) {
  const latencies = [];
  const errors = [];
  const end = Date.now() + ms;
  const gap = 1000 / perSecond;
  const inFlight = new Set();
  while (Date.now() < end) {
    const t = performance.now();
    const p = fetch(url).then((r) => r.text()).then(() => latencies.push(performance.now() - t), (e) => errors.push(e));
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    await new Promise((r) => setTimeout(r, gap));
  }
  await Promise.all(inFlight);
  return { latencies, errors };
}

const p99 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)] ?? NaN;

test(`collector refusing connections for ${LONG ? 60 : 6} s under load, then back: app unaffected, drops counted, export resumes`, async () => {
  const otlpPort = await freePort();
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      // A small queue so that the short run overflows it too.
      OTEL_BSP_MAX_QUEUE_SIZE: LONG ? '2048' : '200',
    },
  });
  let receiver;
  try {
    const down = await steadyLoad(`${app.url}/`, LONG ? 60_000 : 6_000);
    assert.equal(down.errors.length, 0, 'every request answered while the collector is down');
    const scrape = parseProm((await get(`http://127.0.0.1:${promPort}/metrics`)).text);
    const queue = scrape.find((s) => s.name === 'otel_sdk_processor_span_queue_size');
    const capacity = scrape.find((s) => s.name === 'otel_sdk_processor_span_queue_capacity');
    assert.ok(queue && capacity && queue.value <= capacity.value, 'queue bounded by its capacity');
    const dropped = scrape.filter((s) => s.name === 'otel_sdk_processor_span_processed_total' && s.labels.error_type)
      .reduce((n, s) => n + s.value, 0);
    const failedExports = scrape.filter((s) => s.name === 'otel_sdk_exporter_span_exported_total' && s.labels.error_type)
      .reduce((n, s) => n + s.value, 0);
    assert.ok(dropped + failedExports > 0, `losses are counted (dropped ${dropped}, failed exports ${failedExports})`);

    // The collector comes back on the same port.
    receiver = await startReceiver({ port: otlpPort });
    // New spans queue behind the backlog (or are dropped while the queue is still full):
    // keep sending until one of them arrives.
    const back = Date.now();
    const sent = new Set();
    const probe = setInterval(() => {
      const id = `after-recovery-${sent.size}`;
      sent.add(id);
      get(`${app.url}/`, { 'x-request-id': id }).catch(() => {});
    }, 250);
    try {
      await receiver.waitFor((s) => s.spans.some((x) => x.kind === SERVER && sent.has(x.attributes['request.id'])), 40_000);
    } finally {
      clearInterval(probe);
    }
    const resumeSeconds = (Date.now() - back) / 1000;
    console.log(`# collector down: ${down.latencies.length} requests, p99 ${p99(down.latencies).toFixed(1)} ms; dropped ${dropped}, failed exports ${failedExports}; export resumed after ${resumeSeconds.toFixed(1)} s`);
    const warnings = app.stderr().split('\n').filter((l) => /export (failed|timed out)/.test(l));
    assert.ok(warnings.length >= 1 && warnings.length <= (LONG ? 8 : 4), `rate-limited warnings, got ${warnings.length}:\n${app.stderr()}`);
    assert.doesNotMatch(app.stderr(), /Unhandled|unhandledRejection|\n\s+at /, 'no unhandled rejection, no stack spam');
  } finally {
    await app.stop();
    await receiver?.close();
  }
});

test('collector that accepts and never answers, then answers 503 and 429: exports time out, app unaffected', async () => {
  const hung = createServer(() => {}); // accepts, never answers
  await new Promise((r) => hung.listen(0, '127.0.0.1', r));
  const receiver = await startReceiver({ status: 503 });
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${hung.address().port}/v1/traces`,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/v1/metrics`,
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    },
  });
  try {
    const { latencies, errors } = await steadyLoad(`${app.url}/`, 4_000, 100);
    assert.equal(errors.length, 0);
    assert.ok(latencies.length > 300);
    // 503 answers are retried a bounded number of times, not in a hot loop.
    const metricPosts = receiver.requests.filter((r) => r.path === '/v1/metrics').length;
    assert.ok(metricPosts >= 1 && metricPosts < 60, `metric export attempts in 4 s: ${metricPosts}`);
    console.log(`# hung traces endpoint + 503 metrics: ${latencies.length} requests, p99 ${p99(latencies).toFixed(1)} ms, ${metricPosts} metric posts in 4 s`);
  } finally {
    await app.stop();
    hung.close();
    await receiver.close();
  }
});

test('oversized traceparent, tracestate and baggage: bounded, no crash', async () => {
  const app = await startApp(fixture('cjs-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
  try {
    // Node itself refuses headers over 16 KB (431); these stay under it but far over the
    // W3C limits (tracestate: 32 members / 512 chars; baggage: 180 members / 8192 bytes).
    const headers = {
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01-${'x'.repeat(3000)}`,
      tracestate: Array.from({ length: 100 }, (_, i) => `k${i}=${'v'.repeat(40)}`).join(','),
      baggage: Array.from({ length: 300 }, (_, i) => `key${i}=${'v'.repeat(10)}`).join(','),
    };
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.child.pid}/status`, 'utf8'))[1]) / 1024;
    for (let i = 0; i < 1000; i++) await get(`${app.url}/`, headers); // warm-up: heap settles
    const before = rss();
    for (let i = 0; i < 2000; i++) {
      const res = await get(`${app.url}/`, headers);
      assert.equal(res.status, 200);
      const timing = res.headers.get('server-timing');
      assert.ok(timing.length < 200, timing);
    }
    const grown = rss() - before;
    console.log(`# oversized trace headers: 2000 requests after warm-up, RSS change ${grown.toFixed(1)} MB`);
    assert.ok(grown < 15, `RSS grew ${grown} MB`);
  } finally {
    await app.stop();
  }
});

test('SDK started twice (preload + start()): one warning, same instance, one server span per request', async () => {
  const receiver = await startReceiver();
  const app = await startApp(fixture('double-start.js'), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    const res = await get(`${app.url}/`, { 'x-request-id': 'twice-1' });
    assert.equal(res.text, 'same-instance');
    await receiver.waitFor((s) => s.spans.some((x) => x.attributes['request.id'] === 'twice-1'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(receiver.spans.filter((x) => x.kind === SERVER && x.attributes['request.id'] === 'twice-1').length, 1);
    assert.equal(app.stderr().split('\n').filter((l) => /already running/.test(l)).length, 1, app.stderr());
  } finally {
    await app.stop();
    await receiver.close();
  }
});
