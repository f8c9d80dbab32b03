// The admin server's request limiter: a burst runs at once, the rest waits in order, a
// full queue refuses, a client gone while waiting is skipped, close() refuses the rest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createLimiter } = require('../dist/src/server/limit.js');

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

test('burst at once, then in order at the rate; a full queue refuses; gone clients are skipped', async () => {
  const log = [];
  let limited = 0;
  // 200 ms a token: the six submits below take far less, even on a loaded machine.
  const limiter = createLimiter({ ratePerSecond: 5, burst: 2, maxQueued: 3, maxWaitMs: 10_000, onLimited: () => limited++ });
  const submit = (id, gone = false) => limiter.submit(() => log.push(`run ${id}`), () => log.push(`refuse ${id}`), () => gone);
  submit(1);
  submit(2);
  submit(3);
  submit(4, true);
  submit(5);
  submit(6);
  assert.deepEqual(log, ['run 1', 'run 2', 'refuse 6']);
  await settle(700);
  assert.deepEqual(log, ['run 1', 'run 2', 'refuse 6', 'run 3', 'run 5']);
  assert.equal(limited, 4);
});

test('a request that waited longer than maxWaitMs is refused; close() refuses what waits', async () => {
  const log = [];
  const limiter = createLimiter({ ratePerSecond: 20, burst: 1, maxQueued: 10, maxWaitMs: 1 });
  const submit = (id) => limiter.submit(() => log.push(`run ${id}`), () => log.push(`refuse ${id}`), () => false);
  submit(1);
  submit(2);
  await settle(120);
  assert.deepEqual(log, ['run 1', 'refuse 2']);
  const slow = createLimiter({ ratePerSecond: 0.001, burst: 1 });
  const closed = [];
  slow.submit(() => closed.push('run a'), () => closed.push('refuse a'), () => false);
  slow.submit(() => closed.push('run b'), () => closed.push('refuse b'), () => false);
  slow.close();
  assert.deepEqual(closed, ['run a', 'refuse b']);
});

test('large answers wait for the byte budget and for each other; small ones behind them go at once', async () => {
  const { createByteBudget } = require('../dist/src/server/budget.js');
  const budget = createByteBudget(1000); // 1,000 bytes a second
  const limiter = createLimiter({ ratePerSecond: 1000, burst: 100, bytesWaitMs: budget.waitMs });
  const log = [];
  const large = (id, bytes) => limiter.submit(async () => {
    log.push(`run ${id}`);
    await settle(5);
    budget.charge(bytes);
  }, () => log.push(`refuse ${id}`), () => false, true);
  const small = (id) => limiter.submit(() => log.push(`run ${id}`), () => log.push(`refuse ${id}`), () => false);
  large('a', 1500); // admitted: the budget starts full; leaves 0.5 s of debt once charged
  large('b', 10);
  small('h1');
  assert.deepEqual(log, ['run a', 'run h1'], 'b waits for a to be written');
  await settle(50);
  assert.deepEqual(log, ['run a', 'run h1'], 'then for the budget');
  small('h2');
  assert.deepEqual(log, ['run a', 'run h1', 'run h2']);
  await settle(700);
  assert.deepEqual(log, ['run a', 'run h1', 'run h2', 'run b']);
  limiter.close();
});

test('the byte budget: overdrawn by a large answer, refilled at its rate, its debt floored at 2 s', async () => {
  const { createByteBudget } = require('../dist/src/server/budget.js');
  const budget = createByteBudget(10_000);
  assert.equal(budget.waitMs(), 0);
  budget.charge(15_000);
  const wait = budget.waitMs();
  assert.ok(wait > 400 && wait <= 510, `wait ${wait}`);
  budget.charge(1e9); // a huge answer: still at most 2 s of wait
  assert.ok(budget.waitMs() <= 2001, `wait ${budget.waitMs()}`);
});

test('a large answer that never finishes holds the next one back for maxWaitMs at most', async () => {
  const limiter = createLimiter({ ratePerSecond: 1000, burst: 10, maxWaitMs: 400 });
  const log = [];
  limiter.submit(() => { log.push('run hung'); return new Promise(() => {}); }, () => log.push('refuse hung'), () => false, true);
  limiter.submit(() => { log.push('run early'); }, () => log.push('refuse early'), () => false, true);
  await settle(100);
  limiter.submit(() => { log.push('run next'); }, () => log.push('refuse next'), () => false, true);
  assert.deepEqual(log, ['run hung']);
  await settle(1000);
  // At 400 ms the hung one stops holding the others and the one that waited since it
  // reaches its own 400 ms: it is refused or runs, whichever timer fires first; the later
  // one runs either way, and nothing waits past the bound.
  assert.equal(log.length, 3, log.join());
  assert.ok(['refuse early', 'run early'].includes(log[1]), log.join());
  assert.equal(log[2], 'run next');
  limiter.close();
});
