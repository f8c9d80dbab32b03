// A collector that is down never holds the application's exit: a refused connection is not
// retried (nothing will be delivered), and every export with its retries is bounded by
// OTELKIT_SHUTDOWN_TIMEOUT_MS, on a natural exit as on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { startApp, runApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

/** Milliseconds from the job's last step to the process's exit. */
async function batchExit(env) {
  const started = Date.now();
  const run = await runApp(fixture('batch-job.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_BSP_SCHEDULE_DELAY: '100', ...env } });
  const done = Number(/DONE (\d+)/.exec(run.stdout)?.[1]);
  assert.ok(done > 0, run.stdout + run.stderr);
  return { ...run, afterWork: Date.now() - done, total: Date.now() - started };
}

test('a batch job ending by itself with the collector refusing connections exits as without a collector', async () => {
  const dead = await freePort();
  const refused = await batchExit({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${dead}` });
  const none = await batchExit({});
  assert.equal(refused.code, 3, 'the exit code is the job\'s');
  console.log(`# batch job: exit ${refused.afterWork} ms after its work with the collector refusing, ${none.afterWork} ms with no collector configured`);
  assert.ok(refused.afterWork < none.afterWork + 1000, `held ${refused.afterWork} ms after the work (without a collector: ${none.afterWork} ms)`);
});

// An export in flight when the job ends and the final one each stop retrying within the
// timeout: the exit waits at most twice OTELKIT_SHUTDOWN_TIMEOUT_MS.
test('a collector that answers 503: a natural exit waits at most twice OTELKIT_SHUTDOWN_TIMEOUT_MS', async () => {
  const receiver = await startReceiver({ status: 503 });
  try {
    const run = await batchExit({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTELKIT_SHUTDOWN_TIMEOUT_MS: '1500' });
    assert.equal(run.code, 3);
    assert.ok(receiver.requests.length > 0, 'exports were attempted');
    console.log(`# batch job with a collector answering 503: exit ${run.afterWork} ms after its work (OTELKIT_SHUTDOWN_TIMEOUT_MS=1500)`);
    assert.ok(run.afterWork < 2 * 1500 + 1000, `held ${run.afterWork} ms`);
  } finally {
    await receiver.close();
  }
});

test('SIGTERM with the collector refusing connections: exit within a second of the bare app', async () => {
  const dead = await freePort();
  const stopTime = async (preload, env) => {
    const app = await startApp(fixture('cjs-app.js'), { preload, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_BSP_SCHEDULE_DELAY: '100', ...env } });
    for (let i = 0; i < 20; i++) await get(`${app.url}/`);
    const started = Date.now();
    const { signal } = await app.stop('SIGTERM');
    return { ms: Date.now() - started, signal };
  };
  const bare = await stopTime(null, {});
  const otelkit = await stopTime('require', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${dead}` });
  assert.equal(otelkit.signal, 'SIGTERM');
  console.log(`# SIGTERM with the collector refusing: ${otelkit.ms} ms to exit (bare ${bare.ms} ms)`);
  assert.ok(otelkit.ms < bare.ms + 1000, `${otelkit.ms} ms against bare ${bare.ms} ms`);
});
