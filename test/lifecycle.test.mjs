// Signals and exit codes stay the app's; telemetry buffered at shutdown is delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from './helpers/otlp-receiver.mjs';
import { startApp, runApp, fixture, freePort, get } from './helpers/app.mjs';

const SERVER = 2;

async function sigtermOutcome(preload, env = {}) {
  const app = await startApp(fixture('cjs-app.js'), { preload, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ...env } });
  await get(`${app.url}/`);
  const started = Date.now();
  const outcome = await app.stop('SIGTERM');
  return { ...outcome, ms: Date.now() - started, stdout: app.stdout(), stderr: app.stderr() };
}

test('SIGTERM, app without a handler: ends exactly as it does bare (killed by SIGTERM)', async () => {
  const bare = await sigtermOutcome(null);
  const withKit = await sigtermOutcome('require');
  assert.deepEqual({ code: bare.code, signal: bare.signal }, { code: null, signal: 'SIGTERM' });
  assert.deepEqual({ code: withKit.code, signal: withKit.signal }, { code: bare.code, signal: bare.signal }, withKit.stderr);
});

test('SIGTERM, app with its own handler: the app keeps control of the exit code', async () => {
  const env = { APP_HANDLES_SIGTERM: '3' };
  const bare = await sigtermOutcome(null, env);
  const withKit = await sigtermOutcome('require', env);
  assert.deepEqual({ code: bare.code, signal: bare.signal }, { code: 3, signal: null });
  assert.deepEqual({ code: withKit.code, signal: withKit.signal }, { code: 3, signal: null }, withKit.stderr);
  assert.match(withKit.stdout, /app: SIGTERM received/);
});

test('spans still buffered at SIGTERM are exported before the process dies', async () => {
  const receiver = await startReceiver();
  try {
    const app = await startApp(fixture('cjs-app.js'), {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
    });
    await get(`${app.url}/flush-me`, { 'x-request-id': 'flush-at-sigterm' });
    // The batch delay is 1 s; SIGTERM comes first, so only the shutdown flush can deliver it.
    const outcome = await app.stop('SIGTERM');
    assert.equal(outcome.signal, 'SIGTERM');
    const span = receiver.spans.find((s) => s.kind === SERVER && s.attributes['request.id'] === 'flush-at-sigterm');
    assert.ok(span, `span delivered before exit; got ${receiver.spans.length} spans; stderr: ${app.stderr()}`);
    assert.ok(receiver.metrics.some((m) => m.name === 'http.server.request.duration'), 'metrics flushed too');
  } finally {
    await receiver.close();
  }
});

test('natural exit: exit code kept and telemetry flushed before exit', async () => {
  const receiver = await startReceiver();
  try {
    const bare = await runApp(fixture('short-script.js'), { preload: null });
    const run = await runApp(fixture('short-script.js'), {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
    });
    assert.equal(bare.code, 7);
    assert.equal(run.code, 7, run.stderr);
    assert.ok(receiver.spans.some((s) => s.kind === SERVER && s.attributes['url.path'] === '/once'), run.stderr);
  } finally {
    await receiver.close();
  }
});

test('SIGTERM with an unreachable collector: exit within the shutdown timeout', async () => {
  const deadPort = await freePort();
  const outcome = await sigtermOutcome('require', {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${deadPort}`,
    OTELKIT_SHUTDOWN_TIMEOUT_MS: '1500',
  });
  assert.equal(outcome.signal, 'SIGTERM');
  assert.ok(outcome.ms < 4000, `exit took ${outcome.ms} ms`);
});
