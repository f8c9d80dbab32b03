// Route names from what the frameworks matched, never from raw paths:
// - Express routers mounted on a parameter keep the mount pattern (/t/:tenant/profile),
//   not the tenant id that req.baseUrl carries;
// - Fastify replies sent before the handler (malformed JSON, schema error, a 401 from a
//   hook) keep the route Fastify matched;
// - Koa: an error thrown in a route counts on its router operation too;
// - plain node:http: /users/123 and /users/456 are one operation GET /users/:id, and
//   setRoute() names a route explicitly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';

test('route names come from the framework or a template, never from raw ids', async () => {
  const admin = await freePort();
  const app = await startApp(fixture('routes-app.js'), {
    readyPattern: /LISTENING (\d+) (\d+) (\d+) (\d+)/,
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) },
  });
  const [expressPort, fastifyPort, koaPort, plainPort] = /LISTENING (\d+) (\d+) (\d+) (\d+)/.exec(app.stdout()).slice(1).map(Number);
  const at = (port, path) => `http://127.0.0.1:${port}${path}`;
  try {
    for (let i = 0; i < 30; i++) assert.equal((await get(at(expressPort, `/t/tenant-${i}x/profile`))).status, 200);
    assert.equal((await get(at(expressPort, '/boom'))).status, 500);

    const post = (body) => fetch(at(fastifyPort, '/items'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal((await post('{"name":')).status, 400, 'malformed JSON');
    assert.equal((await post('{"other":1}')).status, 400, 'schema');
    assert.equal((await post('{"name":"x"}')).status, 200);
    assert.equal((await get(at(fastifyPort, '/private'))).status, 401);

    for (let i = 0; i < 3; i++) assert.equal((await get(at(koaPort, '/fail'))).status, 500);
    assert.equal((await get(at(koaPort, '/ok/7'))).status, 200);

    for (const id of ['123', '456', '3f2b9c1e-8d7a-4b6c-9e5f-1a2b3c4d5e6f', 'a3f9c2e81b7d4f60']) await get(at(plainPort, `/users/${id}`));
    await get(at(plainPort, '/named/anything-here'));

    const apm = (await get(`http://127.0.0.1:${admin}/api/performance/apm/stats`)).json.operations;
    const op = (name) => apm.find((o) => o.operation === name);
    assert.equal(op('GET /t/:tenant/profile')?.count, 30, JSON.stringify(apm.map((o) => o.operation)));
    assert.equal(op('POST /items')?.count, 3, 'all three POSTs, the early replies included');
    assert.equal(op('GET /private')?.count, 1);
    assert.equal(op('GET /fail')?.error_count, 3, 'the server operation counts the Koa route error');
    const koaRouter = apm.find((o) => o.kind !== 'server' && /\/fail/.test(o.operation));
    assert.ok(koaRouter, JSON.stringify(apm));
    assert.equal(koaRouter.error_count, 3, `the router operation ${koaRouter.operation} counts it too`);
    assert.equal(op('GET /users/:id')?.count, 4, 'ids, UUIDs and hex ids are one template');
    assert.equal(op('GET /named/:thing')?.count, 1, 'setRoute()');
    assert.ok(!apm.some((o) => /tenant-\d|\/users\/\d|\/t\/tenant/.test(o.operation)), JSON.stringify(apm.map((o) => o.operation)));

    const series = parseProm((await get(`http://127.0.0.1:${admin}/metrics`)).text).filter((s) => s.name === 'http_server_request_duration_seconds_count');
    const routes = new Set(series.map((s) => s.labels.http_route).filter(Boolean));
    for (const r of routes) assert.doesNotMatch(r, /tenant-\d|\/users\/\d/);
    assert.ok(routes.has('/t/:tenant/profile') && routes.has('/items') && routes.has('/private'), [...routes].join(', '));
    const access = app.stdout().split('\n').filter((l) => l.includes('[otelkit:http]'));
    assert.ok(access.some((l) => l.includes('GET /t/tenant-3x/profile 200') && l.includes('(GET /t/:tenant/profile)')), access.slice(0, 3).join('\n'));
  } finally {
    await app.stop();
  }
});
