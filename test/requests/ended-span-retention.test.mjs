// Work an app leaves behind a request (a timer, a 'finish' listener, an idle keep-alive
// connection) runs in the request's context, and may outlive it by minutes. After the
// response the context holds only the ended span's ids: that work still sees the trace,
// and the span with its attributes (here a 4 KB query string each) is not kept alive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { drive, memoryAfterGc, memoryProbe } from '../helpers/load.mjs';

const REQUESTS = 2000;
const QUERY = 'x'.repeat(4096);

test(`${REQUESTS} requests each leaving a two-minute timer: the ended spans are not kept; later work sees the trace ids`, async () => {
  const probe = memoryProbe();
  const app = await startApp(fixture('timer-app.js'), {
    nodeArgs: probe.nodeArgs,
    env: { ...probe.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTELKIT_ACCESS_LOG: 'off' },
  });
  try {
    const first = await get(`${app.url}/one?${QUERY}`);
    const traceparent = /traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-0\d"/.exec(first.headers.get('server-timing'));
    assert.ok(traceparent, first.headers.get('server-timing'));
    const seen = (await get(`${app.url}/last`)).json;
    assert.deepEqual(seen, { traceId: traceparent[1], spanId: traceparent[2], recording: false }, "the app's 'finish' listener sees the request's span, ended");

    await drive({ port: app.port, count: 200, request: (i) => ({ method: 'GET', path: `/warm/${i}?${QUERY}` }) });
    const before = await memoryAfterGc(app.child, probe);
    const run = await drive({ port: app.port, count: REQUESTS, request: (i) => ({ method: 'GET', path: `/item/${i}?${i}${QUERY}` }) });
    assert.equal(run.errors.length, 0, String(run.errors[0]));
    const after = await memoryAfterGc(app.child, probe);
    const kept = after.heapMb - before.heapMb;
    console.log(`# ${REQUESTS} requests with a 4 KB query, each leaving a 120 s timer: heap after a full GC ${before.heapMb.toFixed(1)} → ${after.heapMb.toFixed(1)} MiB (${kept >= 0 ? '+' : ''}${kept.toFixed(1)})`);
    // The timers themselves cost the bare app 0.7 MiB, and each context with its ids about
    // 0.6 KB more (1.9 MiB in all here); each ended span kept would add its 4 KB url.query
    // and attributes (+11.2 MiB when the context kept the span).
    assert.ok(kept < 4, `the heap kept ${kept.toFixed(1)} MiB`);
  } finally {
    await app.stop();
  }
});
