// PostgreSQL and Redis going away and coming back, through TCP proxies in front of the
// machine's real servers (the servers themselves are never touched). The same app runs
// bare and under otelkit through the same scenario: it must see the same errors, the
// servers must see the same connections and statements (otelkit adds no retries), and
// detailed health must go down, then ok again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startProxy } from '../helpers/proxy.mjs';
import { sleep } from '../helpers/load.mjs';

async function calls(url, path, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const res = await get(`${url}${path}`);
    out.push({ status: res.status, ...(res.json?.error ? { error: res.json.error } : {}) });
  }
  return out;
}

/** Polls detailed health until `want(json)`; returns the milliseconds it took. */
async function healthUntil(admin, want, limitMs = 20_000) {
  const started = Date.now();
  for (;;) {
    const res = await get(`${admin}/api/health/detailed`);
    if (want(res)) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`health not as wanted after ${limitMs} ms: ${res.text}`);
    await sleep(50);
  }
}

/** One run of the scenario; `kit` adds the preload and health probes through their own proxies. */
async function scenario({ kit, appPg, appRedis, healthPg, healthRedis }) {
  for (const p of [appPg, appRedis, healthPg, healthRedis]) p.reset();
  const promPort = await freePort();
  const app = await startApp(fixture('outage-app.js'), {
    preload: kit ? 'require' : null,
    env: {
      APP_DATABASE_URL: `postgres://postgres@127.0.0.1:${appPg.port}/test`,
      APP_REDIS_URL: `redis://127.0.0.1:${appRedis.port}`,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
      ...(kit ? { DATABASE_URL: `postgres://postgres@127.0.0.1:${healthPg.port}/test`, REDIS_URL: `redis://127.0.0.1:${healthRedis.port}` } : {}),
    },
  });
  const admin = `http://127.0.0.1:${promPort}`;
  const result = {};
  try {
    result.before = [...await calls(app.url, '/pg', 10), ...await calls(app.url, '/redis', 10)];
    if (kit) await healthUntil(admin, (r) => r.status === 200 && r.json.checks.database.status === 'ok' && r.json.checks.redis.status === 'ok');

    await Promise.all([appPg.down(), appRedis.down(), healthPg.down(), healthRedis.down()]);
    await sleep(300); // the clients notice the cut connections
    const downAt = Date.now();
    result.during = [...await calls(app.url, '/pg', 10), ...await calls(app.url, '/redis', 10)];
    if (kit) {
      result.toDownMs = (Date.now() - downAt) + await healthUntil(admin, (r) => r.status === 503
        && r.json.checks.database.status === 'down' && r.json.checks.redis.status === 'down');
      result.readyWhileDown = (await get(`${admin}/api/health/ready`)).status;
      result.liveWhileDown = (await get(`${admin}/api/health/live`)).status;
    }

    await Promise.all([appPg.up(), appRedis.up(), healthPg.up(), healthRedis.up()]);
    const upAt = Date.now();
    if (kit) {
      result.toOkMs = await healthUntil(admin, (r) => r.status === 200 && r.json.checks.database.status === 'ok' && r.json.checks.redis.status === 'ok');
    }
    // The app's own recovery: ioredis reconnects on its schedule (every 200 ms).
    while (Date.now() - upAt < 1500) await sleep(100);
    result.after = [...await calls(app.url, '/pg', 10), ...await calls(app.url, '/redis', 10)];
    result.server = {
      pgConnections: appPg.stats.connections,
      pgStatements: appPg.stats.statements.length,
      redisConnections: appRedis.stats.connections,
      redisCommands: appRedis.stats.commands.filter((c) => /^set /i.test(c)).length,
      redisAll: appRedis.stats.commands.map((c) => c.split(' ')[0].toUpperCase()),
    };
    result.stderr = app.stderr();
  } finally {
    await app.stop();
  }
  return result;
}

test('PostgreSQL and Redis down, then back: same errors as bare, same load on the servers, health down then ok', async () => {
  const appPg = await startProxy({ targetPort: 5432, protocol: 'pg' });
  const appRedis = await startProxy({ targetPort: 6379, protocol: 'redis' });
  const healthPg = await startProxy({ targetPort: 5432, protocol: 'pg' });
  const healthRedis = await startProxy({ targetPort: 6379, protocol: 'redis' });
  const proxies = { appPg, appRedis, healthPg, healthRedis };
  try {
    const bare = await scenario({ kit: false, ...proxies });
    const kit = await scenario({ kit: true, ...proxies });

    for (const r of [bare, kit]) {
      assert.ok(r.before.every((c) => c.status === 200), JSON.stringify(r.before));
      assert.ok(r.during.every((c) => c.status === 503), JSON.stringify(r.during));
      assert.ok(r.after.every((c) => c.status === 200), JSON.stringify(r.after));
    }
    // Error parity: the app sees the same errors, call by call.
    assert.deepEqual(kit.during, bare.during);
    // No added retries or connections: the servers saw the same traffic from the app.
    assert.deepEqual(kit.server, bare.server);
    assert.equal(kit.readyWhileDown, 503);
    assert.equal(kit.liveWhileDown, 200);
    assert.doesNotMatch(kit.stderr, /Unhandled|uncaught/i);

    const kinds = [...new Set(kit.during.map((c) => `${c.error.class}/${c.error.code ?? '-'}: ${c.error.message}`))];
    console.log(`# outage: errors seen by the app (bare = otelkit): ${kinds.join(' | ')}`);
    console.log(`# outage: server saw bare/otelkit — pg connections ${bare.server.pgConnections}/${kit.server.pgConnections}, `
      + `pg statements ${bare.server.pgStatements}/${kit.server.pgStatements}, redis connections ${bare.server.redisConnections}/${kit.server.redisConnections}, `
      + `redis SET ${bare.server.redisCommands}/${kit.server.redisCommands}`);
    console.log(`# outage: detailed health down ${kit.toDownMs} ms after the cut; ok ${kit.toOkMs} ms after the servers were back (cache ${1000} ms, probe timeout 2000 ms)`);
  } finally {
    await Promise.all(Object.values(proxies).map((p) => p.close()));
  }
});
