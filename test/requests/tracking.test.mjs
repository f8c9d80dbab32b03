// Request tracking on real servers: the id is kept or generated, echoed with timing
// headers that name the exported span, set on the span, and passed downstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { jsonLines, rawRequest, tempDir, allLogText, UUID } from '../helpers/logs.mjs';

const require = createRequire(import.meta.url);
const SERVER = 2;
const TIMING = /^total;dur=(\d+\.\d{2}), traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-01"$/;

async function until(fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const APPS = [
  ['plain node:http', 'log-app.js', '/hello', undefined],
  ['Express', 'express-app.js', '/users/7', '/users/:id'],
  ['Fastify', 'fastify-app.js', '/users/7', '/users/:id'],
  ['Koa', 'koa-app.js', '/users/7', '/users/:id'],
];

for (const [name, file, path, route] of APPS) {
  test(`${name}: X-Request-ID, X-Response-Time and Server-Timing name the exported span${route ? `; route ${route}` : ''}`, async () => {
    const receiver = await startReceiver();
    const app = await startApp(fixture(file), {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
        ENABLE_JSON_LOGS: 'true',
        LOG_LEVEL: 'http',
      },
    });
    try {
      const given = await get(`${app.url}${path}`, { 'x-request-id': `${file}-req` });
      assert.equal(given.status, 200);
      assert.equal(given.headers.get('x-request-id'), `${file}-req`);
      assert.match(given.headers.get('x-response-time'), /^\d+\.\d{2}ms$/);
      const [, dur, traceId, spanId] = TIMING.exec(given.headers.get('server-timing')) ?? assert.fail(given.headers.get('server-timing'));
      assert.equal(`${dur}ms`, given.headers.get('x-response-time'));

      const generated = await get(`${app.url}${path}`);
      assert.match(generated.headers.get('x-request-id'), UUID);

      const span = await receiver.waitFor((s) => s.spans.find((x) => x.kind === SERVER && x.attributes['request.id'] === `${file}-req`));
      assert.equal(span.traceId, traceId);
      assert.equal(span.spanId, spanId);
      assert.equal(span.attributes['http.route'], route);
      // Without a framework's route, the name carries the path's template (url.template).
      assert.equal(span.name, `GET ${route ?? path}`);
      if (route === undefined) assert.equal(span.attributes['url.template'], path);
      await receiver.waitFor((s) => s.spans.some((x) => x.kind === SERVER && x.attributes['request.id'] === generated.headers.get('x-request-id')));

      const access = await until(() => jsonLines(app.stdout()).find((l) => l.component === 'http' && l.request_id === `${file}-req`));
      assert.equal(access.route, route ?? path);
      assert.equal(access.path, path);
      assert.equal(access.trace_id, traceId);
      assert.equal(access.status, 200);
      if (file !== 'express-app.js') {
        const line = jsonLines(app.stdout()).find((l) => l.level === 'info' && l.component !== 'http' && l.request_id === `${file}-req`);
        assert.ok(line, `the handler's log line:\n${app.stdout()}`);
        assert.equal(line.trace_id, traceId);
      }
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
}

test('unsafe ids on a raw socket get a generated id and are never echoed or logged', async () => {
  const dir = tempDir();
  const start = async (nodeOptions) => startApp(fixture('log-app.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
      LOG_LEVEL: 'http',
      LOG_FILE: join(dir, `app${nodeOptions ? '-lenient' : ''}.log`),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  const head = (value) => `GET /hello HTTP/1.1\r\nHost: x\r\n${value}Connection: close\r\n\r\n`;
  const marker = (s) => `zq${s}`;
  const unsafe = {
    '300 characters': [`X-Request-ID: ${marker('a'.repeat(300))}\r\n`, marker('a'.repeat(300))],
    '<script>': [`X-Request-ID: ${marker('<script>alert(1)</script>')}\r\n`, 'zq<script>'],
    'bare CR': [`X-Request-ID: ${marker('abc\rdef')}\r\n`, 'zqabc'],
    '16 KB': [`X-Request-ID: ${marker('b'.repeat(16 * 1024))}\r\n`, marker('b'.repeat(200))],
    'repeated header': [`X-Request-ID: ${marker('one')}\r\nX-Request-ID: ${marker('two')}\r\n`, 'zqone'],
    'space inside': [`X-Request-ID: ${marker('a b')}\r\n`, 'zqa b'],
  };

  // Node's own parser already refuses a bare CR (400, even with --insecure-http-parser)
  // and a 16 KB header (431), before any code runs; with a larger header limit the 16 KB
  // value reaches otelkit, which must replace it. (The bare CR's replacement is checked
  // on chooseRequestId below.)
  const strict = await start();
  const lenient = await start('--insecure-http-parser --max-http-header-size=65536');
  try {
    for (const [name, [header, needle]] of Object.entries(unsafe)) {
      const res = await rawRequest(strict.port, head(header));
      if (name === 'bare CR') assert.equal(res.status, 400, name);
      else if (name === '16 KB') assert.equal(res.status, 431, name);
      else {
        assert.equal(res.status, 200, name);
        assert.match(res.headers['x-request-id'], UUID, name);
      }
      assert.ok(!res.raw.includes(needle), `${name}: echoed`);

      const viaLenient = await rawRequest(lenient.port, head(header));
      if (name === 'bare CR') {
        assert.equal(viaLenient.status, 400);
        continue;
      }
      assert.equal(viaLenient.status, 200, `${name} (lenient parser)`);
      assert.match(viaLenient.headers['x-request-id'], UUID, `${name} (lenient parser)`);
      assert.ok(!viaLenient.raw.includes(needle), `${name}: echoed (lenient parser)`);
      const id = viaLenient.headers['x-request-id'];
      await until(() => jsonLines(lenient.stdout()).some((l) => l.component === 'http' && l.request_id === id));
    }
    await until(() => allLogText(dir).split('\n').length > 12);
    await new Promise((r) => setTimeout(r, 200));
    const outputs = { stdout: strict.stdout() + lenient.stdout(), stderr: strict.stderr() + lenient.stderr(), file: allLogText(dir) };
    for (const [where, text] of Object.entries(outputs)) {
      assert.ok(!text.includes('zq'), `${where} holds a raw unsafe id: ${text.split('\n').filter((l) => l.includes('zq')).join('\n').slice(0, 500)}`);
    }
  } finally {
    await strict.stop();
    await lenient.stop();
  }
});

test('chooseRequestId keeps safe ids only', () => {
  const { chooseRequestId } = require('../../dist/src/requests/request-id.js');
  for (const safe of ['a', 'order-42.retry:1', 'x/y+z=@_', 'A'.repeat(200), '550e8400-e29b-41d4-a716-446655440000']) {
    assert.equal(chooseRequestId(safe), safe);
  }
  for (const unsafe of ['', 'A'.repeat(201), 'abc\rdef', 'abc\ndef', 'a\u0000b', 'a b', '<script>', 'a,b', 'é', ['a', 'b'], undefined]) {
    assert.match(chooseRequestId(unsafe), UUID, JSON.stringify(unsafe));
  }
});

test("headers the app sets itself are kept; Server-Timing is appended to the app's", async () => {
  const app = await startApp(fixture('own-header-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
  try {
    const res = await get(`${app.url}/`, { 'x-request-id': 'from-client' });
    assert.equal(res.status, 201);
    assert.equal(res.text, 'created');
    assert.equal(res.headers.get('x-request-id'), 'set-by-app');
    assert.match(res.headers.get('server-timing'), /^db;dur=1\.5, total;dur=[\d.]+, traceparent;desc="00-/);
    assert.match(res.headers.get('x-response-time'), /ms$/);
  } finally {
    await app.stop();
  }
});

test('the request id is passed on to downstream calls made with http.get and fetch', async () => {
  const seen = [];
  const downstream = createServer((req, res) => {
    seen.push({ id: req.headers['x-request-id'], traceparent: req.headers.traceparent });
    res.end('downstream ok');
  });
  await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
  const app = await startApp(fixture('log-app.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
      DOWNSTREAM_URL: `http://127.0.0.1:${downstream.address().port}/work`,
    },
  });
  try {
    for (const via of ['http', 'fetch']) {
      const res = await get(`${app.url}/down?via=${via}`, { 'x-request-id': `down-${via}` });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.json, { own: `down-${via}`, downstream: 'downstream ok' });
      const call = seen.at(-1);
      assert.equal(call.id, `down-${via}`, via);
      const traceId = /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing'))[1];
      assert.match(call.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), `${via}: same trace downstream`);
    }
    const generated = await get(`${app.url}/down?via=fetch`);
    assert.equal(seen.at(-1).id, generated.headers.get('x-request-id'), 'a generated id is passed on too');
  } finally {
    await app.stop();
    await new Promise((r) => downstream.close(r));
  }
});
