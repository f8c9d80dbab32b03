// Regression: with no OTELKIT_ADMIN_TOKEN, DELETE was accepted from any client whose
// socket address is loopback — through monitoringHandler() too, where a reverse proxy on
// the same host (nginx, a sidecar) makes every client on the internet look local. On the
// application's own port, mutations without a token are now refused (403) unless the app
// opts in with monitoringHandler({ allowLoopbackMutations: true }); the admin port keeps
// its loopback rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const MUTATIONS = ['/api/performance/apm', '/api/performance/slow-queries', '/api/performance/n-plus-one'];

async function withApp(file, env, fn) {
  const adminPort = await freePort();
  const app = await startApp(fixture(file), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort), ...env } });
  try {
    await fn(app, `http://127.0.0.1:${adminPort}`);
  } finally {
    await app.stop();
  }
}

/** A reverse proxy on this host, as nginx would be: every request reaches the app from 127.0.0.1. */
async function reverseProxy(target) {
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function del(url, headers = {}) {
  const res = await fetch(url, { method: 'DELETE', headers });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

for (const [framework, file] of [['Express', 'monitoring-express.js'], ['Fastify', 'monitoring-fastify.js'], ['Koa', 'monitoring-koa.js']]) {
  test(`${framework}: DELETE through monitoringHandler() behind a same-host proxy, no token → 403 saying how to allow it`, async () => {
    await withApp(file, {}, async (app, admin) => {
      await get(`${app.url}/hello`); // one request, so the APM statistics are not empty
      const proxy = await reverseProxy(app.url);
      try {
        for (const path of MUTATIONS) {
          const res = await del(`${proxy.url}${path}`);
          assert.equal(res.status, 403, `${path}: ${JSON.stringify(res.json)}`);
          assert.equal(res.json.error, 'forbidden');
          assert.match(res.json.message, /OTELKIT_ADMIN_TOKEN/);
          assert.match(res.json.message, /allowLoopbackMutations/);
        }
        assert.equal((await del(`${app.url}/api/performance/apm`)).status, 403, 'directly on the app port too');
        const stats = await get(`${proxy.url}/api/performance/apm/stats`);
        assert.equal(stats.status, 200, 'reading stays open');
        assert.ok(stats.json.operations.length > 0, 'the statistics were not reset');
      } finally {
        await proxy.close();
      }
      assert.equal((await del(`${admin}/api/performance/apm`)).status, 204, 'the admin port keeps its loopback rule');
    });
  });
}

for (const [framework, file] of [['Express', 'monitoring-express.js'], ['Fastify', 'monitoring-fastify.js'], ['Koa', 'monitoring-koa.js']]) {
  test(`${framework}: monitoringHandler({ allowLoopbackMutations: true }) accepts DELETE from loopback`, async () => {
    await withApp(file, { ALLOW_LOOPBACK_MUTATIONS: '1' }, async (app) => {
      for (const path of MUTATIONS) assert.equal((await del(`${app.url}${path}`)).status, 204, path);
    });
  });
}

test('with OTELKIT_ADMIN_TOKEN, the handler takes the token: none → 401, the right one → 204', async () => {
  await withApp('monitoring-express.js', { OTELKIT_ADMIN_TOKEN: 'tok-91c' }, async (app) => {
    assert.equal((await del(`${app.url}/api/performance/apm`)).status, 401);
    assert.equal((await del(`${app.url}/api/performance/apm`, { authorization: 'Bearer tok-91c' })).status, 204);
    assert.equal((await del(`${app.url}/ops/api/performance/slow-queries`, { authorization: 'Bearer tok-91c' })).status, 204);
  });
});
