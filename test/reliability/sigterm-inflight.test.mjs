// SIGTERM while requests are in flight, with the collector up, refusing or hung: the
// process ends the way it ends bare (same signal or exit code), the flush never holds it
// longer than OTELKIT_SHUTDOWN_TIMEOUT_MS, and an app that drains still answers every
// request it accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import http from 'node:http';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { sleep } from '../helpers/load.mjs';

const IN_FLIGHT = 20;
const DELAY_MS = 500;
const TIMEOUT_MS = 2000;

function slowRequest(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/slow', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 && body === 'slow done'));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
  });
}

async function run({ kit, collector, handler }) {
  const promPort = await freePort();
  const env = { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), DELAY_MS: String(DELAY_MS), OTELKIT_SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS) };
  if (handler) env.APP_HANDLES_SIGTERM = '0';
  let receiver;
  let hung;
  if (collector === 'up') {
    receiver = await startReceiver();
    env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  } else if (collector === 'refusing') {
    env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
  } else if (collector === 'hung') {
    hung = createServer((s) => s.on('error', () => {}));
    await new Promise((r) => hung.listen(0, '127.0.0.1', r));
    env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${hung.address().port}`;
  }
  const app = await startApp(fixture('inflight-app.js'), { preload: kit ? 'require' : null, env });
  try {
    for (let i = 0; i < 5; i++) await get(`${app.url}/`, { 'x-request-id': `before-sigterm-${i}` }); // telemetry to flush
    const pending = Array.from({ length: IN_FLIGHT }, () => slowRequest(app.port));
    await sleep(100);
    const t = performance.now();
    app.child.kill('SIGTERM');
    const { code, signal } = await app.exited;
    const exitMs = performance.now() - t;
    const completed = (await Promise.all(pending)).filter(Boolean).length;
    const delivered = receiver ? receiver.spans.filter((s) => /^before-sigterm-/.test(s.attributes['request.id'] ?? '')).length : undefined;
    return { code, signal, exitMs, completed, delivered, stderr: app.stderr() };
  } finally {
    await app.stop();
    await receiver?.close();
    hung?.close();
  }
}

const fmt = (r) => `${r.signal ?? `exit ${r.code}`} after ${r.exitMs.toFixed(0)} ms, ${r.completed}/${IN_FLIGHT} completed`;

test('app without a SIGTERM handler: killed by SIGTERM as bare; flush bounded by the shutdown timeout', async () => {
  const bare = await run({ kit: false });
  assert.equal(bare.signal, 'SIGTERM');
  const lines = [`bare: ${fmt(bare)}`];
  for (const collector of ['up', 'refusing', 'hung']) {
    const r = await run({ kit: true, collector });
    assert.deepEqual({ code: r.code, signal: r.signal }, { code: bare.code, signal: bare.signal }, r.stderr);
    assert.ok(r.exitMs < TIMEOUT_MS + 1500, `${collector}: exit took ${r.exitMs} ms`);
    if (collector === 'up') assert.equal(r.delivered, 5, 'spans buffered at SIGTERM are delivered');
    assert.doesNotMatch(r.stderr, /Unhandled|uncaught/i);
    lines.push(`otelkit, collector ${collector}: ${fmt(r)}${r.delivered !== undefined ? `, ${r.delivered}/5 buffered spans delivered` : ''}`);
  }
  console.log(`# SIGTERM, no handler, ${IN_FLIGHT} requests of ${DELAY_MS} ms in flight, OTELKIT_SHUTDOWN_TIMEOUT_MS=${TIMEOUT_MS}: ${lines.join('; ')}`);
});

test('app that drains on SIGTERM: same exit code, every request in flight answered, with the collector up or hung', async () => {
  const bare = await run({ kit: false, handler: true });
  assert.deepEqual({ code: bare.code, signal: bare.signal, completed: bare.completed }, { code: 0, signal: null, completed: IN_FLIGHT });
  const lines = [`bare: ${fmt(bare)}`];
  for (const collector of ['up', 'hung']) {
    const r = await run({ kit: true, collector, handler: true });
    assert.deepEqual({ code: r.code, signal: r.signal, completed: r.completed }, { code: 0, signal: null, completed: IN_FLIGHT }, r.stderr);
    assert.ok(r.exitMs < DELAY_MS + 1500, `the app's own exit is not held up: ${r.exitMs} ms`);
    lines.push(`otelkit, collector ${collector}: ${fmt(r)}`);
  }
  console.log(`# SIGTERM, app drains itself: ${lines.join('; ')}`);
});
