// A scanner sending 100,000 distinct paths with every method Node accepts must not grow
// what otelkit keeps: span names, APM operations and Prometheus series are route
// templates or the method alone, unusual methods are `_OTHER`, memory stays flat.
// Memory is read after a full GC in the app: between major GCs V8's old space fills with
// promoted garbage (about 2 MiB per 25,000 requests in this app, until a mark-compact
// near 32 MiB), so RSS, even after the GC, says how far the old space had grown by then;
// the heap and external memory say what is kept (bench/old-space.mjs shows the RSS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get, STEADY_HEAP } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { parseProm } from '../helpers/prom.mjs';
import { drive, fetchFresh, memoryAfterGc, memoryProbe, sleep, NODE_METHODS } from '../helpers/load.mjs';

const LONG = process.env.OTELKIT_LONG_TESTS === '1';
// OTELKIT_TEST_PATHS overrides the counts (the Express app serves about 2,000 requests a
// second on this machine, so its long run stops at 50,000 to keep CI within its time).
const OVERRIDE = Number(process.env.OTELKIT_TEST_PATHS) || undefined;
const SERVER = 2;
const WARM_UP = 10_000;
const KNOWN = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

const APPS = [
  {
    name: 'plain node:http',
    file: 'any-path-app.js',
    count: OVERRIDE ?? (LONG ? 100_000 : 20_000),
    // No route anywhere: answered paths are named by their template (/known/:id), 404s by
    // their method alone; no http.route label.
    path: (i) => (i % 2 ? `/known/${i}` : `/scan/${i}/x${i * 7}?q=${i}`),
    routes: new Set(),
    templates: new Set(['/known/:id']),
  },
  {
    name: 'Express with a 404 fall-through',
    file: 'express-404-app.js',
    count: OVERRIDE ?? (LONG ? 50_000 : 10_000),
    path: (i) => [`/users/${i}`, `/api/items/${i}`, `/api/miss${i}`, `/scan/${i}/x${i * 7}`][i % 4],
    // Express's instrumentation reports "/" for the root path reaching the catch-all.
    routes: new Set(['/users/:id', '/api/items/:item', '/']),
  },
];

for (const spec of APPS) {
  const COUNT = spec.count;
  // The long run drives 100,000 requests through a receiver decoding every span: minutes.
  test(`${spec.name}: ${COUNT.toLocaleString('en')} distinct paths × ${NODE_METHODS.length} methods → templates or the method, _OTHER, capped`, { timeout: LONG ? 900_000 : 180_000 }, async () => {
    const receiver = await startReceiver();
    const promPort = await freePort();
    const probe = memoryProbe();
    const app = await startApp(fixture(spec.file), {
      nodeArgs: [...STEADY_HEAP, ...probe.nodeArgs],
      env: { ...probe.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_METRIC_EXPORT_INTERVAL: '60000' },
    });
    const admin = `http://127.0.0.1:${promPort}`;
    try {
      const request = (i) => ({ method: NODE_METHODS[i % NODE_METHODS.length], path: spec.path(i) });
      // Warm-up on the same shapes until the heap has its working size (RSS rises for the
      // first few thousand requests, bare or not, then stays flat): what grows after it is
      // what otelkit keeps per distinct path.
      await drive({ port: app.port, count: WARM_UP, request: (i) => request(COUNT + i) });
      await sleep(300);
      const seriesBefore = parseProm((await get(`${admin}/metrics`)).text).length;
      const before = await memoryAfterGc(app.child, probe);
      const started = performance.now();
      const run = await drive({ port: app.port, count: COUNT, request });
      const seconds = (performance.now() - started) / 1000;
      assert.equal(run.errors.length, 0, String(run.errors[0]));
      await sleep(1500);
      const after = await memoryAfterGc(app.child, probe);

      const scrape = parseProm((await fetchFresh(`${admin}/metrics`)).text);
      const duration = scrape.filter((s) => s.name === 'http_server_request_duration_seconds_count');
      const badRoutes = duration.filter((s) => s.labels.http_route !== undefined && !spec.routes.has(s.labels.http_route));
      assert.deepEqual(badRoutes.map((s) => s.labels.http_route), [], 'http_route is a template or absent');
      const methods = new Set(duration.map((s) => s.labels.http_request_method));
      assert.ok([...methods].every((m) => KNOWN.has(m) || m === '_OTHER'), [...methods].join());
      assert.ok(methods.has('_OTHER'), 'PROPFIND, MKCOL, PURGE… are _OTHER');
      assert.ok(duration.length <= 200, `${duration.length} request-duration series`);
      const counted = duration.reduce((n, s) => n + s.value, 0);
      assert.ok(counted >= COUNT, `every request is counted (${counted})`);
      const growth = scrape.length - seriesBefore;
      assert.ok(growth < 50, `the scrape grew by ${growth} samples`);

      const ops = JSON.parse((await fetchFresh(`${admin}/api/performance/apm/stats`)).text).operations;
      const server = ops.filter((o) => o.kind === 'server');
      const allowed = (name) => {
        const [method, route, ...rest] = name.split(' ');
        return rest.length === 0 && (KNOWN.has(method) || method === '_OTHER') && (route === undefined || spec.routes.has(route) || spec.templates?.has(route));
      };
      assert.deepEqual(server.map((o) => o.operation).filter((n) => !allowed(n)), [], 'APM server operations');
      assert.ok(ops.length <= 60, `${ops.length} APM operations`);
      assert.ok(!ops.some((o) => /scan|miss|known\/\d/.test(o.operation)), 'no raw path in any operation');

      // Exported spans (those the batch queue kept; the rest are counted as dropped).
      await receiver.waitFor((s) => s.spans.some((x) => x.kind === SERVER), 10_000);
      const names = new Set(receiver.spans.filter((x) => x.kind === SERVER).map((x) => x.name));
      assert.deepEqual([...names].filter((n) => !allowed(n)), [], 'exported span names');
      const other = receiver.spans.find((x) => x.kind === SERVER && x.name.startsWith('_OTHER'));
      if (other) assert.ok(NODE_METHODS.includes(other.attributes['http.request.method_original']), 'the original method is kept as an attribute');
      assert.doesNotMatch(app.stderr(), /Error|exception/i);

      const heapGrowth = after.heapMb - before.heapMb;
      const externalGrowth = after.externalMb - before.externalMb;
      const rssGrowth = after.rssMb - before.rssMb;
      const signed = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
      console.log(`# ${spec.name}: ${COUNT} distinct paths, ${NODE_METHODS.length} methods, ${(COUNT / seconds).toFixed(0)} req/s; `
        + `request-duration series ${duration.length}, scrape samples +${growth}, APM operations ${ops.length} (server ${server.length}), `
        + `exported server span names ${names.size}; after a full GC: heap ${before.heapMb.toFixed(1)} → ${after.heapMb.toFixed(1)} MiB (${signed(heapGrowth)}), `
        + `external ${signed(externalGrowth)} MiB, RSS ${before.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MiB (${signed(rssGrowth)})`);
      // What the process keeps: 20 bytes per distinct path would be 1.9 MiB at 100,000.
      assert.ok(heapGrowth < 2, `the heap kept ${heapGrowth.toFixed(1)} MiB`);
      assert.ok(externalGrowth < 2, `memory outside the heap (buffers) kept ${externalGrowth.toFixed(1)} MiB`);
      // RSS keeps the pages V8 and malloc hold for reuse after the GC (the old space grew
      // to its next mark-compact before it): a loose bound, for gross growth only.
      assert.ok(rssGrowth < 64, `RSS grew ${rssGrowth.toFixed(1)} MiB`);
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
}
