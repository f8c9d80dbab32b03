// A client's sampled flag decides nothing by default: "…-00" cannot hide a request's queries
// from APM and slow queries, "…-01" cannot force export past a 0 % ratio. Statistics count
// every request whatever the sampler. OTELKIT_TRUST_CLIENT_SAMPLING=true restores the
// parentbased rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const parent = (flags) => ({ traceparent: `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-${flags}` });

async function run(env, requests) {
  const receiver = await startReceiver();
  const admin = await freePort();
  const app = await startApp(fixture('cjs-app.js'), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_EXPORTER_PROMETHEUS_PORT: String(admin), OTELKIT_SLOW_QUERY_MS: '0', ...env },
  });
  try {
    for (const headers of requests) assert.equal((await get(`${app.url}/db`, headers)).status, 200);
    await new Promise((r) => setTimeout(r, 400));
    const apm = (await get(`http://127.0.0.1:${admin}/api/performance/apm/stats`)).json.operations;
    const slow = (await get(`http://127.0.0.1:${admin}/api/performance/slow-queries`)).json.queries;
    await app.stop();
    return { apm, slow, exported: receiver.spans };
  } finally {
    await app.stop();
    await receiver.close();
  }
}

test('a client sending …-00 does not hide its requests from APM and slow queries, nor from export', async () => {
  const { apm, slow, exported } = await run({}, [parent('00'), parent('00'), parent('00')]);
  assert.equal(apm.find((o) => o.kind === 'server')?.count, 3);
  assert.equal(slow.length, 3, 'every query is a slow-query record (threshold 0)');
  assert.equal(exported.filter((s) => s.kind === 2).length, 3, 'the local sampler (always on) decides');
  const requestSpans = exported.filter((s) => s.kind === 2 || s.attributes['db.system.name']);
  const outside = requestSpans.filter((s) => s.traceId !== '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.deepEqual(outside.map((s) => s.name), [], 'the trace is continued');
});

test('a client sending …-01 does not force export past a 0 % ratio; statistics still count', async () => {
  const { apm, slow, exported } = await run({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, [parent('01'), parent('01'), {}]);
  assert.equal(exported.length, 0, JSON.stringify(exported.map((s) => s.name)));
  assert.equal(apm.find((o) => o.kind === 'server')?.count, 3);
  assert.equal(slow.length, 3);
});

test('OTELKIT_TRUST_CLIENT_SAMPLING=true: the incoming flag decides', async () => {
  const { apm, exported } = await run({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0', OTELKIT_TRUST_CLIENT_SAMPLING: 'true' }, [parent('01'), parent('00')]);
  assert.equal(exported.filter((s) => s.kind === 2).length, 1, 'the sampled parent is followed');
  assert.equal(apm.find((o) => o.kind === 'server')?.count, 2);
});
