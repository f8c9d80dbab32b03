// Layered health against this machine's real PostgreSQL and Redis, and against closed
// ports and a server that never answers: fields as docs/ENDPOINTS.md says, bounded probes,
// 503 for critical failures, passwords never served or logged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { PG_PASSWORD, REAL_DATABASE_URL, REAL_REDIS_URL, silentServer, promSample, eventually, assertHealthy } from './helpers/health.mjs';

async function withApp(env, fn, file = 'health-app.js') {
  const adminPort = await freePort();
  const app = await startApp(file.startsWith('/') ? file : fixture(file), { env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort), ...env } });
  try {
    await fn({ app, admin: `http://127.0.0.1:${adminPort}` });
  } finally {
    await app.stop();
  }
  return app;
}

test('detailed health with the real PostgreSQL and Redis: every field, ok, password masked', async () => {
  const app = await withApp({ DATABASE_URL: REAL_DATABASE_URL, REDIS_URL: REAL_REDIS_URL, OTEL_SERVICE_NAME: 'health-svc' }, async ({ admin }) => {
    const basic = await get(`${admin}/api/health`);
    assert.equal(basic.status, 200);
    assert.deepEqual(Object.keys(basic.json).sort(), ['service', 'service_instance_id', 'service_version', 'status', 'uptime_seconds']);
    assert.equal(basic.json.service, 'health-svc');
    assert.match(basic.json.service_instance_id, /^[0-9a-f-]{36}$/, 'a UUID unless OTEL_RESOURCE_ATTRIBUTES names one');

    const detailed = await get(`${admin}/api/health/detailed`);
    assert.equal(detailed.status, 200, detailed.text);
    const { timestamp, checks } = detailed.json;
    assertHealthy(detailed.json, assert);
    assert.ok(!Number.isNaN(Date.parse(timestamp)));
    assert.deepEqual(Object.keys(checks).sort(), ['database', 'process', 'redis', 'system']);
    assert.equal(checks.database.status, 'ok');
    assert.equal(typeof checks.database.latency_ms, 'number');
    assert.equal(checks.database.target, 'postgres://postgres:***@127.0.0.1:5432/test');
    assert.equal(checks.redis.status, 'ok');
    assert.equal(checks.redis.client, 'ioredis');
    assert.equal(typeof checks.redis.latency_ms, 'number');
    await eventually(async () => (await get(`${admin}/api/health/detailed`)).json.checks.process.threads !== undefined);
    const later = (await get(`${admin}/api/health/detailed`)).json.checks;
    for (const key of ['cpu_percent', 'memory_percent', 'disk_percent', 'disk_path']) assert.ok(key in later.system, `system.${key}`);
    for (const key of ['pid', 'cpu_percent', 'rss_bytes', 'heap_used_bytes', 'threads', 'open_fds', 'event_loop_delay_p99_ms']) assert.ok(key in later.process, `process.${key}`);
    assert.ok(later.process.threads > 0 && later.process.open_fds > 0);

    const one = await get(`${admin}/api/health/database`);
    assert.equal(one.status, 200);
    assert.equal(one.json.name, 'database');
    assert.equal(one.json.status, 'ok');
    assert.equal((await get(`${admin}/api/health/live`)).status, 200);
    const ready = await get(`${admin}/api/health/ready`);
    assert.deepEqual([ready.status, ready.json.status, ready.json.checks], [200, 'ok', { database: 'ok', redis: 'ok' }]);
    const unknown = await get(`${admin}/api/health/nope`);
    assert.deepEqual([unknown.status, unknown.json.error], [404, 'not_found']);
    const post = await fetch(`${admin}/api/health/detailed`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal((await post.json()).error, 'method_not_allowed');

    for (const body of [detailed.text, one.text, (await get(`${admin}/metrics`)).text]) assert.ok(!body.includes(PG_PASSWORD));
  });
  assert.ok(!app.stderr().includes(PG_PASSWORD) && !app.stdout().includes(PG_PASSWORD));
});

test('closed ports: detailed health 503 with errors within its bound; /api/health and /live stay 200; up=0 scraped', async () => {
  const dbPort = await freePort();
  const redisPort = await freePort();
  const env = {
    DATABASE_URL: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${dbPort}/test`,
    REDIS_URL: `redis://:${PG_PASSWORD}@127.0.0.1:${redisPort}`,
    OTELKIT_HEALTH_TIMEOUT_MS: '1000',
  };
  const app = await withApp(env, async ({ app, admin }) => {
    const started = Date.now();
    const detailed = await get(`${admin}/api/health/detailed`);
    assert.ok(Date.now() - started < 3000, 'answered within the bound');
    assert.equal(detailed.status, 503, detailed.text);
    assert.equal(detailed.json.status, 'down');
    for (const name of ['database', 'redis']) {
      assert.equal(detailed.json.checks[name].status, 'down');
      assert.match(detailed.json.checks[name].error, /ECONNREFUSED/);
    }
    assert.ok(!detailed.text.includes(PG_PASSWORD), detailed.text);
    assert.equal((await get(`${admin}/api/health`)).status, 200);
    assert.equal((await get(`${admin}/api/health/live`)).status, 200);
    const ready = await get(`${admin}/api/health/ready`);
    assert.deepEqual([ready.status, ready.json.status, [...ready.json.failing].sort()], [503, 'not_ready', ['database', 'redis']]);
    assert.equal((await get(`${admin}/api/health/redis`)).status, 503);
    const scrape = await eventually(async () => {
      const text = (await get(`${admin}/metrics`)).text;
      return promSample(text, 'otelkit_health_check_up', { check: 'database' }) && text;
    });
    assert.equal(promSample(scrape, 'otelkit_health_check_up', { check: 'database' }).value, 0);
    assert.equal(promSample(scrape, 'otelkit_health_check_up', { check: 'redis' }).value, 0);
    assert.ok(promSample(scrape, 'otelkit_health_check_latency_seconds', { check: 'database' }));
    // Logged by the background probe, which starts a second after the app.
    await eventually(() => /health check database is down/.test(app.output()));
  });
  assert.ok(!app.output().includes(PG_PASSWORD), app.output());
});

test('a server that accepts and never answers: detailed health answers at its timeout, other endpoints are not held up', async () => {
  const silent = await silentServer();
  try {
    const env = {
      DATABASE_URL: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${silent.port}/test`,
      REDIS_URL: `redis://127.0.0.1:${silent.port}`,
      OTELKIT_HEALTH_TIMEOUT_MS: '700',
    };
    await withApp(env, async ({ admin }) => {
      const started = Date.now();
      const detailedP = get(`${admin}/api/health/detailed`);
      const basic = await get(`${admin}/api/health`);
      const live = await get(`${admin}/api/health/live`);
      assert.equal(basic.status, 200);
      assert.equal(live.status, 200);
      assert.ok(Date.now() - started < 500, 'basic and live do not wait for the probes');
      const detailed = await detailedP;
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 600 && elapsed < 2500, `answered at its bound (${elapsed} ms)`);
      assert.equal(detailed.status, 503);
      for (const name of ['database', 'redis']) {
        assert.equal(detailed.json.checks[name].status, 'down', detailed.text);
        assert.match(detailed.json.checks[name].error, /timed out after 700 ms|timeout/i);
      }
      assert.ok(!detailed.text.includes(PG_PASSWORD));
    });
    // The probes' connections were closed, not left hanging.
    await eventually(() => silent.connections() === 0, 3000);
  } finally {
    await silent.close();
  }
});

test('custom checks: throwing and hanging checks are down, the endpoint answers; critical decides 503; details masked', async () => {
  const env = {
    HEALTH_CHECKS: 'good,slowish,warns,throws,hangs',
    OTELKIT_HEALTH_TIMEOUT_MS: '500',
    DATABASE_URL: REAL_DATABASE_URL,
  };
  await withApp(env, async ({ admin }) => {
    const detailed = await get(`${admin}/api/health/detailed`);
    assert.equal(detailed.status, 200, 'no critical check is down');
    assert.equal(detailed.json.status, 'degraded');
    const { checks } = detailed.json;
    assert.equal(checks.good.status, 'ok');
    assert.deepEqual([checks.slowish.status, checks.slowish.items], ['ok', 3]);
    assert.equal(checks.warns.status, 'warn');
    assert.equal(checks.throws.status, 'down');
    assert.match(checks.throws.error, /validator exploded at postgres:\/\/postgres:\*\*\*@/);
    assert.equal(checks.hangs.status, 'down');
    assert.match(checks.hangs.error, /timed out after 500 ms/);
    assert.equal(checks.redis.status, 'not_configured');
    assert.ok(!detailed.text.includes(PG_PASSWORD), detailed.text);
    const hangs = await get(`${admin}/api/health/hangs`);
    assert.deepEqual([hangs.status, hangs.json.name, hangs.json.status], [503, 'hangs', 'down']);
    assert.equal((await get(`${admin}/api/health/good`)).status, 200);
    assert.equal((await get(`${admin}/api/health/ready`)).status, 200, 'non-critical checks do not affect readiness');
  });
  await withApp({ HEALTH_CHECKS: 'good,critical_down' }, async ({ admin }) => {
    const detailed = await get(`${admin}/api/health/detailed`);
    assert.deepEqual([detailed.status, detailed.json.status, detailed.json.checks.critical_down.status], [503, 'down', 'down']);
    const ready = await get(`${admin}/api/health/ready`);
    assert.deepEqual([ready.status, ready.json.failing], [503, ['critical_down']]);
  });
});

test('opossum and cockatiel breakers opening and closing, and retries, in /api/health/resilience', async () => {
  await withApp({ WITH_BREAKERS: '1' }, async ({ app, admin }) => {
    const breakers = async () => Object.fromEntries((await get(`${admin}/api/health/resilience`)).json.circuit_breakers.map((b) => [b.name, b]));
    let b = await breakers();
    assert.deepEqual(b.payments, { name: 'payments', state: 'closed', failures: 0, successes: 0, rejects: 0, fallbacks: 0 });
    assert.deepEqual(b.inventory, { name: 'inventory', state: 'closed', failures: 0, successes: 0, rejects: 0, fallbacks: 0 });

    await get(`${app.url}/opossum`);
    await get(`${app.url}/cockatiel`);
    await get(`${app.url}/fail-mode?on=1`);
    for (let i = 0; i < 3; i++) {
      await get(`${app.url}/opossum`);
      await get(`${app.url}/cockatiel`);
    }
    b = await breakers();
    assert.equal(b.payments.state, 'open');
    assert.equal(b.payments.successes, 1);
    assert.ok(b.payments.failures >= 2 && b.payments.rejects >= 1 && b.payments.fallbacks >= 3, JSON.stringify(b.payments));
    assert.equal(b.inventory.state, 'open');
    assert.deepEqual([b.inventory.successes, b.inventory.failures, b.inventory.rejects], [1, 2, 1]);
    assert.equal(b.inventory.fallbacks, 0);

    await get(`${app.url}/fail-mode?on=0`);
    await new Promise((r) => setTimeout(r, 400)); // past both half-open delays
    await get(`${app.url}/opossum`);
    await get(`${app.url}/cockatiel`);
    b = await breakers();
    assert.equal(b.payments.state, 'closed', JSON.stringify(b.payments));
    assert.equal(b.inventory.state, 'closed', JSON.stringify(b.inventory));

    for (const outcome of ['retry', 'retry', 'success', 'retry', 'exhausted']) await get(`${app.url}/retry?name=fetch-rates&outcome=${outcome}`);
    await get(`${app.url}/retry?name=fetch-rates&outcome=bogus`);
    const { retries } = (await get(`${admin}/api/health/resilience`)).json;
    assert.deepEqual(retries, [{ name: 'fetch-rates', attempts: 5, retries: 3, exhausted: 1 }]);
    assert.match(app.output(), /recordRetry: outcome must be success, retry or exhausted/);
  });
});

test('health metrics in the Prometheus scrape: database up=1 and its latency with the real PostgreSQL', async () => {
  await withApp({ DATABASE_URL: REAL_DATABASE_URL }, async ({ admin }) => {
    const text = await eventually(async () => {
      const t = (await get(`${admin}/metrics`)).text;
      return promSample(t, 'otelkit_health_check_up', { check: 'database' }) && t;
    });
    assert.equal(promSample(text, 'otelkit_health_check_up', { check: 'database' }).value, 1);
    const latency = promSample(text, 'otelkit_health_check_latency_seconds', { check: 'database' }).value;
    assert.ok(latency > 0 && latency < 2, String(latency));
    assert.equal(promSample(text, 'otelkit_health_check_up', { check: 'redis' }), undefined, 'not configured: no series');
    assert.match(text, /# TYPE otelkit_health_check_up gauge/);
  });
});

test('an app without pg or ioredis: database not_configured "pg not installed"; Redis through the built-in RESP PING', async () => {
  const { mkdtemp, copyFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ROOT } = await import('./helpers/app.mjs');
  const dir = await mkdtemp(join(tmpdir(), 'otelkit-nodrivers-'));
  try {
    await copyFile(fixture('health-app.js'), join(dir, 'app.js'));
    const closed = await freePort();
    const env = { OTELKIT_ENTRY: `${ROOT}dist/src/index.js`, DATABASE_URL: REAL_DATABASE_URL, REDIS_URL: REAL_REDIS_URL };
    await withApp(env, async ({ admin }) => {
      const detailed = await get(`${admin}/api/health/detailed`);
      assert.equal(detailed.status, 200, detailed.text);
      const { database, redis } = detailed.json.checks;
      assert.deepEqual([database.status, database.error], ['not_configured', 'pg not installed']);
      assert.deepEqual([redis.status, redis.client], ['ok', 'resp']);
      assert.equal(typeof redis.latency_ms, 'number');
      const ready = await get(`${admin}/api/health/ready`);
      assert.deepEqual(ready.json.checks, { redis: 'ok' }, 'a database that cannot be probed is not critical');
    }, join(dir, 'app.js'));
    await withApp({ ...env, REDIS_URL: `redis://:${PG_PASSWORD}@127.0.0.1:${closed}` }, async ({ admin }) => {
      const redis = await get(`${admin}/api/health/redis`);
      assert.equal(redis.status, 503);
      assert.match(redis.json.error, /ECONNREFUSED/);
      assert.equal(redis.json.target, `redis://:***@127.0.0.1:${closed}`);
    }, join(dir, 'app.js'));
    // A password Redis does not expect: Redis's own error, the password nowhere.
    await withApp({ ...env, REDIS_URL: `redis://:${PG_PASSWORD}@127.0.0.1:6379` }, async ({ admin }) => {
      const redis = await get(`${admin}/api/health/redis`);
      assert.equal(redis.status, 503, redis.text);
      assert.match(redis.json.error, /AUTH|password/i);
      assert.ok(!redis.text.includes(PG_PASSWORD));
    }, join(dir, 'app.js'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('readiness is 503 once shutdown has begun; liveness and /api/health stay 200', async () => {
  await withApp({ KEEP_ON_SIGTERM: '1', DATABASE_URL: REAL_DATABASE_URL }, async ({ app, admin }) => {
    try {
      assert.equal((await get(`${admin}/api/health/ready`)).status, 200);
      app.child.kill('SIGTERM');
      await eventually(() => app.stdout().includes('app: draining'));
      const ready = await get(`${admin}/api/health/ready`);
      assert.deepEqual([ready.status, ready.json.status], [503, 'draining']);
      assert.equal((await get(`${admin}/api/health/live`)).status, 200);
      assert.equal((await get(`${admin}/api/health`)).status, 200);
      assert.equal((await get(`${app.url}/`)).text, 'hello', 'the app still serves while draining');
    } finally {
      app.child.kill('SIGKILL'); // it ignores SIGTERM by design
    }
  });
});
