// Exporting to a collector that is down, hung or refusing must cost the app nothing but
// bounded memory: no crash, no unhandled rejection, drops counted, export resumes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { startApp, fixture, freePort, get, STEADY_HEAP } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';
import { fetchFresh, memoryAfterGc, memoryProbe, percentile, rssMb, steady } from '../helpers/load.mjs';

const LONG = process.env.OTELKIT_LONG_TESTS === '1';
const SERVER = 2;

const p99 = (xs) => percentile(xs, 0.99);

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** Steady load for `ms` while sampling the app's RSS: latencies, errors, peak RSS (MiB). */
async function loadWithRss(app, ms, perSecond) {
  let peak = rssMb(app.child.pid);
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssMb(app.child.pid));
    } catch {
      // exited
    }
  }, 200);
  try {
    const run = await steady(`${app.url}/`, ms, perSecond);
    return { ...run, peakRss: peak };
  } finally {
    clearInterval(sampler);
  }
}

const OUTAGE_MS = LONG ? 60_000 : 6_000;
const BASELINE_MS = LONG ? 6_000 : 4_000;

test(`collector refusing connections for ${OUTAGE_MS / 1000} s under load, then back: app unaffected, drops counted, export resumes`, async () => {
  const otlpPort = await freePort();
  const promPort = await freePort();
  let receiver = await startReceiver({ port: otlpPort });
  const app = await startApp(fixture('cjs-app.js'), {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      // A small queue so that the short run overflows it too.
      OTEL_BSP_MAX_QUEUE_SIZE: LONG ? '2048' : '200',
    },
  });
  try {
    // The same load with the collector up: the no-fault figures.
    await steady(`${app.url}/`, 1000, 200);
    const base = await loadWithRss(app, BASELINE_MS, 200);
    assert.equal(base.errors.length, 0);

    await receiver.close();
    receiver = undefined;
    const down = await loadWithRss(app, OUTAGE_MS, 200);
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
    console.log(`# collector refusing for ${OUTAGE_MS / 1000} s at 200 req/s: p99 ${p99(base.latencies).toFixed(1)} ms (collector up) → ${p99(down.latencies).toFixed(1)} ms (down), `
      + `p50 ${percentile(base.latencies, 0.5).toFixed(1)} → ${percentile(down.latencies, 0.5).toFixed(1)} ms; peak RSS ${base.peakRss.toFixed(1)} → ${down.peakRss.toFixed(1)} MiB; `
      + `queue ${queue.value}/${capacity.value}; spans dropped ${dropped}, failed exports ${failedExports} (otel_sdk_processor_span_processed_total{error_type}); export resumed after ${resumeSeconds.toFixed(1)} s`);
    const warnings = app.output().split('\n').filter((l) => /export (failed|timed out)/.test(l));
    assert.ok(warnings.length >= 1 && warnings.length <= (LONG ? 8 : 4), `rate-limited warnings, got ${warnings.length}:\n${app.stderr()}`);
    assert.doesNotMatch(app.stderr(), /Unhandled|unhandledRejection|\n\s+at /, 'no unhandled rejection, no stack spam');
    assert.ok(down.peakRss - base.peakRss < 60, `peak RSS grew ${(down.peakRss - base.peakRss).toFixed(1)} MiB`);
  } finally {
    await app.stop();
    await receiver?.close();
  }
});

/** An OTLP endpoint whose behaviour a test switches: 'hang' (accept, never answer), or an HTTP status. */
async function faultyCollector() {
  let mode = 'hang';
  const sockets = new Set();
  let maxSockets = 0;
  const posts = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts.push({ mode, path: req.url });
      if (mode === 'hang') return; // never answers
      res.writeHead(mode, mode === 429 ? { 'retry-after': '1' } : {});
      res.end();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    maxSockets = Math.max(maxSockets, sockets.size);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    posts,
    set(next) {
      mode = next;
      maxSockets = sockets.size;
    },
    get sockets() { return sockets.size; },
    get maxSockets() { return maxSockets; },
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(r);
    }),
  };
}

const PHASE_MS = LONG ? 5_000 : 4_000;

test('collector that accepts and never answers, then answers 503, then 429: exports time out, bounded sockets and retries, no hot loop', async () => {
  const collector = await faultyCollector();
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    },
  });
  const eldP99 = async () => parseProm((await fetchFresh(`http://127.0.0.1:${promPort}/metrics`)).text).find((s) => s.name === 'nodejs_eventloop_delay_p99_seconds')?.value * 1000;
  try {
    const lines = [];
    for (const mode of ['hang', 503, 429]) {
      collector.set(mode);
      const postsBefore = collector.posts.length;
      await eldP99(); // the runtime instrumentation restarts its histogram at each collection
      const cpu0 = cpuSeconds(app.child.pid);
      const t0 = performance.now();
      const { latencies, errors } = await steady(`${app.url}/`, PHASE_MS, 100);
      const cpu = ((cpuSeconds(app.child.pid) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
      const eld = await eldP99();
      const attempts = collector.posts.length - postsBefore;
      assert.equal(errors.length, 0);
      assert.ok(latencies.length > PHASE_MS / 20, `${latencies.length} requests answered`);
      assert.ok(collector.maxSockets <= 10, `${mode}: ${collector.maxSockets} sockets open to the collector at most`);
      // Metrics every 0.5 s and span batches every second, each retried a bounded number
      // of times with backoff: a few dozen posts, not a hot loop.
      assert.ok(attempts < (PHASE_MS / 1000) * 20, `${mode}: ${attempts} export attempts in ${PHASE_MS / 1000} s`);
      lines.push(`${mode === 'hang' ? 'hung' : mode}: p99 ${p99(latencies).toFixed(1)} ms, sockets open ≤ ${collector.maxSockets}, `
        + `export posts ${attempts} in ${PHASE_MS / 1000} s, event-loop delay p99 ${eld.toFixed(1)} ms, app CPU ${cpu.toFixed(1)} %`);
    }
    console.log(`# faulty collector at 100 req/s (OTEL_EXPORTER_OTLP_TIMEOUT=2000, metrics every 0.5 s): ${lines.join('; ')}`);
    assert.doesNotMatch(app.stderr(), /Unhandled|unhandledRejection/);
  } finally {
    await app.stop();
    await collector.close();
  }
});

test('oversized traceparent, tracestate and baggage: bounded, no crash', async () => {
  const probe = memoryProbe();
  const app = await startApp(fixture('cjs-app.js'), {
    nodeArgs: [...STEADY_HEAP, ...probe.nodeArgs],
    env: { ...probe.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    // Node itself refuses headers over 16 KB (431); these stay under it but far over the
    // W3C limits (tracestate: 32 members / 512 chars; baggage: 180 members / 8192 bytes).
    const headers = {
      traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01-${'x'.repeat(3000)}`,
      tracestate: Array.from({ length: 100 }, (_, i) => `k${i}=${'v'.repeat(40)}`).join(','),
      baggage: Array.from({ length: 300 }, (_, i) => `key${i}=${'v'.repeat(10)}`).join(','),
    };
    // What the app keeps after a full GC, in rounds of 1000 requests (~12 KB of headers
    // each): keeping them would grow it by ~37 MB over the last 3000. RSS read at a random
    // moment also holds garbage V8 has not collected yet, and moved by 15 MB without a leak.
    const readings = [];
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 1000; i++) {
        const res = await get(`${app.url}/`, headers);
        assert.equal(res.status, 200);
        const timing = res.headers.get('server-timing');
        assert.ok(timing.length < 200, timing);
      }
      const { heapMb, externalMb } = await memoryAfterGc(app.child, probe);
      readings.push(heapMb + externalMb);
    }
    const grown = readings[7] - readings[4];
    console.log(`# oversized trace headers: heap + external after a full GC, each 1000 requests ${readings.map((r) => r.toFixed(1)).join(', ')} MB; last 3000 requests ${grown >= 0 ? '+' : ''}${grown.toFixed(1)} MB; RSS ${rssMb(app.child.pid).toFixed(0)} MB`);
    assert.ok(grown < 8, `kept memory grew ${grown.toFixed(1)} MB over the last 3000 requests`);
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
    const perRequest = receiver.spans.filter((x) => x.kind === SERVER && x.attributes['request.id'] === 'twice-1').length;
    assert.equal(perRequest, 1);
    const warnings = app.output().split('\n').filter((l) => /already running/.test(l)).length;
    assert.equal(warnings, 1, app.stderr());
    console.log(`# SDK started twice (preload + start()): ${perRequest} server span per request, ${warnings} warning, start() returned the running instance`);
  } finally {
    await app.stop();
    await receiver.close();
  }
});
