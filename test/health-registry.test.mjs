// The health API without a socket and without the SDK: registration works before start(),
// real opossum and cockatiel breakers are read by their shape, bad input is handled as
// documented, probes share one run, and secrets are masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const otelkit = require('../dist/src/index.js');
const { maskUrl, createMasker } = require('../dist/src/health/mask.js');
const { createHealthRunner } = require('../dist/src/health/runner.js');
const { healthRoutes } = require('../dist/src/health/routes.js');
const { createRouter } = require('../dist/src/server/router.js');
const { store } = require('../dist/src/health/registry.js');

const resilience = () => createRouter(healthRoutes({ run: async () => undefined, last: () => undefined }, () => false))
  .dispatch({ method: 'GET', path: '/api/health/resilience', query: new URLSearchParams(), headers: {}, remoteAddress: '127.0.0.1' })
  .then((r) => r.body);

test('passwords are masked in URLs and in any text that repeats them', () => {
  assert.equal(maskUrl('postgres://app:pa%40ss@db:5432/x'), 'postgres://app:***@db:5432/x');
  assert.equal(maskUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
  const mask = createMasker(['postgres://app:pa%40ssword@db/x', 'redis://:hunter22@cache:6379', '']);
  assert.equal(mask('auth failed for pa@ssword and pa%40ssword'), 'auth failed for *** and ***');
  assert.equal(mask('cannot reach redis://:hunter22@cache:6379 (hunter22)'), 'cannot reach redis://:***@cache:6379 (***)');
  assert.equal(mask('any mysql://u:other@h/db too'), 'any mysql://u:***@h/db too');
});

test('registerHealthCheck: programming errors throw at registration, before any start()', () => {
  assert.throws(() => otelkit.registerHealthCheck('bad name', () => true), TypeError);
  assert.throws(() => otelkit.registerHealthCheck('detailed', () => true), /reserved/);
  assert.throws(() => otelkit.registerHealthCheck('database', () => true), /reserved/);
  assert.throws(() => otelkit.registerHealthCheck('x', 'not a function'), TypeError);
  otelkit.registerHealthCheck('unit_ok', () => true, { critical: true });
  assert.equal(store().checks.get('unit_ok').critical, true);
});

test('recordRetry counts attempts, retries and exhaustion; bad input is ignored without throwing', async () => {
  for (const o of ['retry', 'success', 'retry', 'retry', 'exhausted']) otelkit.recordRetry('unit-fetch', o);
  otelkit.recordRetry('unit-fetch', 'nonsense');
  otelkit.recordRetry('', 'retry');
  otelkit.recordRetry(undefined, 'retry');
  const { retries } = await resilience();
  assert.deepEqual(retries.find((r) => r.name === 'unit-fetch'), { name: 'unit-fetch', attempts: 5, retries: 3, exhausted: 1 });
  assert.equal(retries.length, 1);
});

test('opossum breaker: counts from its events, state read live; registering again replaces it', async () => {
  const CircuitBreaker = require('opossum');
  let fail = true;
  const breaker = new CircuitBreaker(async () => { if (fail) throw new Error('x'); return 1; }, { volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeout: 50 });
  breaker.fallback(() => 0);
  otelkit.registerCircuitBreaker('unit-opossum', breaker);
  await breaker.fire();
  await breaker.fire();
  let b = (await resilience()).circuit_breakers.find((x) => x.name === 'unit-opossum');
  assert.deepEqual(b, { name: 'unit-opossum', state: 'open', failures: 1, successes: 0, rejects: 1, fallbacks: 2 });
  otelkit.registerCircuitBreaker('unit-opossum', breaker); // replaced: listeners not doubled, counts restart
  fail = false;
  await new Promise((r) => setTimeout(r, 80));
  await breaker.fire();
  b = (await resilience()).circuit_breakers.find((x) => x.name === 'unit-opossum');
  assert.deepEqual(b, { name: 'unit-opossum', state: 'closed', failures: 0, successes: 1, rejects: 0, fallbacks: 0 });
  breaker.shutdown();
});

test('cockatiel breaker: successes, failures, rejects and state; errors reach the caller unchanged', async () => {
  const { circuitBreaker, handleAll, ConsecutiveBreaker, BrokenCircuitError } = require('cockatiel');
  const policy = circuitBreaker(handleAll, { halfOpenAfter: 50, breaker: new ConsecutiveBreaker(1) });
  otelkit.registerCircuitBreaker('unit-cockatiel', policy);
  assert.equal(await policy.execute(() => 'fine'), 'fine');
  const boom = new Error('boom');
  await assert.rejects(policy.execute(() => { throw boom; }), (err) => err === boom);
  await assert.rejects(policy.execute(() => 'never runs'), BrokenCircuitError);
  let b = (await resilience()).circuit_breakers.find((x) => x.name === 'unit-cockatiel');
  assert.deepEqual(b, { name: 'unit-cockatiel', state: 'open', failures: 1, successes: 1, rejects: 1, fallbacks: 0 });
  await new Promise((r) => setTimeout(r, 80));
  await policy.execute(() => 'again');
  b = (await resilience()).circuit_breakers.find((x) => x.name === 'unit-cockatiel');
  assert.equal(b.state, 'closed');
  assert.throws(() => otelkit.registerCircuitBreaker('unit-other', { execute() {} }), /neither an opossum/);
});

test('concurrent runs share one round of probes; results are reused for the cache time', async () => {
  let calls = 0;
  const runner = createHealthRunner({
    checks: () => [{ name: 'slow', critical: true, timed: true, run: () => new Promise((r) => { calls++; setTimeout(() => r(true), 30); }) }],
    timeoutMs: 1000,
    cacheMs: 60_000,
    mask: (s) => s,
  });
  const results = await Promise.all(Array.from({ length: 100 }, () => runner.run()));
  assert.equal(calls, 1);
  assert.ok(results.every((r) => r === results[0] && r.status === 'ok'));
  await runner.run();
  assert.equal(calls, 1, 'cached');
});
