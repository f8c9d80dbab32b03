// Regression: one registered circuit breaker whose state could not be read (a getter
// throwing) made /api/health/resilience answer 500 for all of them. It is now reported
// with state "unknown", once, and the others as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const require = createRequire(import.meta.url);
const { registerCircuitBreaker } = require('../../dist/src/health/breakers.js');
const { breakerStatuses, store } = require('../../dist/src/health/registry.js');

test('a breaker with a throwing state getter is "unknown"; the rest are listed', () => {
  const shaped = (opened) => ({ on() {}, removeListener() {}, fire() {}, get opened() { return opened(); }, halfOpen: false });
  registerCircuitBreaker('reg-ok', shaped(() => false));
  registerCircuitBreaker('reg-broken', shaped(() => {
    throw new Error('getter exploded');
  }));
  try {
    const byName = Object.fromEntries(breakerStatuses().map((b) => [b.name, b.state]));
    assert.equal(byName['reg-ok'], 'closed');
    assert.equal(byName['reg-broken'], 'unknown');
  } finally {
    store().breakers.delete('reg-ok');
    store().breakers.delete('reg-broken');
  }
});

test('/api/health/resilience answers 200 with a broken breaker registered', async () => {
  const promPort = await freePort();
  const app = await startApp(fixture('hooks-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_HEALTH_TIMEOUT_MS: '300' } });
  try {
    const res = await get(`http://127.0.0.1:${promPort}/api/health/resilience`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.circuit_breakers.map((b) => `${b.name} ${b.state}`).sort(), ['broken unknown', 'good closed']);
    assert.equal(app.output().split('\n').filter((l) => /circuit breaker broken state/.test(l)).length, 1, app.output());
  } finally {
    await app.stop();
  }
});
