// otelkit's logger, as a user sees it: the lines on stdout and in LOG_FILE of a real app
// under the preload, correlated with the server span its OTLP exporter sent.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readlinkSync } from 'node:fs';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { jsonLines, tempDir, allLogText, logFiles } from '../helpers/logs.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createLogging } = require('../../dist/src/logging/index.js');
const { loadConfig } = require('../../dist/src/config.js');

const SERVER = 2;

async function until(fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('JSON logs of a plain http app with LOG_FILE and OTLP export', () => {
  let receiver;
  let app;
  let dir;
  before(async () => {
    receiver = await startReceiver();
    dir = tempDir();
    app = await startApp(fixture('log-app.js'), {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
        OTEL_SERVICE_NAME: 'log-test',
        ENABLE_JSON_LOGS: 'true',
        LOG_LEVEL: 'http',
        LOG_FILE: join(dir, 'app.log'),
      },
    });
  });
  after(async () => {
    await app?.stop();
    await receiver?.close();
  });

  test('the given request id is echoed; its log line on stdout and in LOG_FILE has it and the exported span ids', async () => {
    const id = 'order-42.retry:1';
    const res = await get(`${app.url}/hello`, { 'x-request-id': id });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), id);

    const span = await receiver.waitFor((s) => s.spans.find((x) => x.kind === SERVER && x.attributes['request.id'] === id));
    const fromStdout = await until(() => jsonLines(app.stdout()).find((l) => l.message === 'hello handled'));
    const fromFile = await until(() => jsonLines(allLogText(dir)).find((l) => l.message === 'hello handled'));
    for (const line of [fromStdout, fromFile]) {
      assert.equal(line.request_id, id);
      assert.equal(line.trace_id, span.traceId);
      assert.equal(line.span_id, span.spanId);
      assert.equal(line.level, 'info');
      assert.equal(line.service, 'log-test');
      assert.equal(line.component, 'log-app');
      assert.ok(!Number.isNaN(Date.parse(line.timestamp)) && line.timestamp.endsWith('Z'), line.timestamp);
      assert.equal(line.request_id_seen_by_app, id, 'getRequestId() inside the handler');
    }
    assert.deepEqual(Object.keys(fromStdout).slice(0, 4), ['timestamp', 'level', 'message', 'service']);
  });

  test('an Error is written with name, message and stack', async () => {
    const res = await get(`${app.url}/error`, { 'x-request-id': 'err-1' });
    assert.equal(res.status, 500);
    for (const source of [() => app.stdout(), () => allLogText(dir)]) {
      const line = await until(() => jsonLines(source()).find((l) => l.request_id === 'err-1' && l.level === 'error'));
      assert.equal(line.message, 'request failed kaput');
      assert.equal(line.error.name, 'Error');
      assert.equal(line.error.message, 'kaput');
      assert.match(line.error.stack, /^Error: kaput\n\s+at .*log-app\.js:\d+/);
      assert.match(line.trace_id, /^[0-9a-f]{32}$/);
    }
  });

  test('one access line per request at level info: method, path, status, duration_ms, request_id', async () => {
    await get(`${app.url}/hello`, { 'x-request-id': 'access-1' });
    const isAccess = (l) => l.component === 'http' && l.request_id === 'access-1';
    const line = await until(() => jsonLines(app.stdout()).find(isAccess));
    assert.equal(line.level, 'info');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/hello');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok(line.duration_ms >= 0 && line.duration_ms < 10000);
    assert.match(line.trace_id, /^[0-9a-f]{32}$/);
    assert.equal(line.route, '/hello', 'plain node:http: the path\'s template');
    assert.equal(jsonLines(app.stdout()).filter(isAccess).length, 1);
  });

  test('the start line names the active instrumentations; LOG_FILE is a link to the current file', async () => {
    const line = await until(() => jsonLines(app.stdout()).find((l) => l.component === 'otelkit' && /^instrumentations active/.test(l.message)));
    assert.ok(line, app.stdout().slice(0, 2000));
    assert.equal(line.level, 'info');
    assert.ok(line.instrumentations.includes('http') && line.instrumentations.includes('winston'), JSON.stringify(line));
    assert.equal(typeof line.waiting, 'number');
    const current = readlinkSync(join(dir, 'app.log'));
    assert.match(current, /^app-\d{4}-\d{2}-\d{2}\.log$/);
    assert.ok(logFiles(dir).some((f) => f.name === current));
  });
});

test('text in development, JSON with NODE_ENV=production; LOG_LEVEL filters; access line off by switch or level', async () => {
  const run = async (env) => {
    const app = await startApp(fixture('log-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ...env } });
    try {
      await get(`${app.url}/hello`, { 'x-request-id': 'fmt-1' });
      await get(`${app.url}/error`, { 'x-request-id': 'fmt-2' });
      await until(() => app.stdout().includes('request failed'));
      await new Promise((r) => setTimeout(r, 200));
      return app.stdout();
    } finally {
      await app.stop();
    }
  };

  const text = await run({ LOG_LEVEL: 'http', OTEL_SERVICE_NAME: 'fmt-svc' });
  const hello = text.split('\n').find((l) => l.includes('hello handled'));
  assert.match(hello, /^\d{4}-\d{2}-\d{2}T[\d:.]+Z info +\[fmt-svc:log-app\] hello handled \{"request_id":"fmt-1","trace_id":"[0-9a-f]{32}","span_id":"[0-9a-f]{16}"/);
  assert.match(text, /^[\dTZ:.-]+ error +\[fmt-svc\] request failed kaput .*\nError: kaput\n\s+at /m, 'the stack follows the error line');
  assert.match(text, /^[\dTZ:.-]+ info +\[fmt-svc:http\] GET \/hello 200 [\d.]+ms \{"request_id":"fmt-1"/m);
  assert.equal(jsonLines(text).length, 0, 'no JSON in development');

  const prod = jsonLines(await run({ NODE_ENV: 'production', OTELKIT_ACCESS_LOG: 'false', LOG_LEVEL: 'http' }));
  assert.ok(prod.some((l) => l.message === 'hello handled' && l.request_id === 'fmt-1'));
  assert.equal(prod.filter((l) => l.component === 'http').length, 0, 'OTELKIT_ACCESS_LOG=false');

  const lowered = jsonLines(await run({ ENABLE_JSON_LOGS: 'true', OTELKIT_ACCESS_LOG: 'debug', LOG_LEVEL: 'debug' }));
  assert.ok(lowered.some((l) => l.component === 'http' && l.level === 'debug'), 'OTELKIT_ACCESS_LOG=debug lowers the line');

  const warnOnly = await run({ LOG_LEVEL: 'warn', ENABLE_JSON_LOGS: 'true' });
  const lines = jsonLines(warnOnly);
  assert.ok(lines.some((l) => l.level === 'error' && l.request_id === 'fmt-2'));
  assert.equal(lines.filter((l) => l.level === 'info' || l.component === 'http').length, 0, warnOnly);
});

test('the access hook is installed only when OTELKIT_ACCESS_LOG is on and LOG_LEVEL lets its level through', () => {
  const feature = (env) => createLogging(loadConfig(env, () => undefined));
  assert.equal(typeof feature({}).onResponse, 'function', 'info by default');
  assert.equal(feature({ LOG_LEVEL: 'warn' }).onResponse, undefined);
  assert.equal(feature({ OTELKIT_ACCESS_LOG: 'off' }).onResponse, undefined);
  assert.equal(feature({ OTELKIT_ACCESS_LOG: 'false' }).onResponse, undefined);
  assert.equal(feature({ OTELKIT_ACCESS_LOG: 'http' }).onResponse, undefined, 'http is below the default LOG_LEVEL info');
  assert.equal(typeof feature({ OTELKIT_ACCESS_LOG: 'http', LOG_LEVEL: 'http' }).onResponse, 'function');
});

test('with OTEL_SDK_DISABLED=true the logger still writes to the console, and nothing else is installed', async () => {
  const app = await startApp(fixture('log-app.js'), { env: { OTEL_SDK_DISABLED: 'true', ENABLE_JSON_LOGS: 'true' } });
  try {
    const res = await get(`${app.url}/hello`, { 'x-request-id': 'off-1' });
    assert.equal(res.headers.get('x-request-id'), null);
    const line = await until(() => jsonLines(app.stdout()).find((l) => l.message === 'hello handled'));
    assert.equal(line.level, 'info');
    assert.equal(line.request_id, undefined);
    assert.equal(line.component, 'log-app');
    assert.equal(typeof line.service, 'string');
  } finally {
    await app.stop();
  }
});

test('the exported logger is usable at once, and winston is loaded only when it is first used', async () => {
  const app = await startApp(fixture('lazy-logger-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTEL_SERVICE_NAME: 'lazy-logger', ENABLE_JSON_LOGS: 'true' },
    readyPattern: /PROBE /,
  });
  try {
    const probe = JSON.parse(/PROBE (.*)/.exec(app.stdout())[1]);
    assert.deepEqual(probe, { winstonAtStart: false, level: 'debug', sameMethod: true, hasChild: true, isStream: true, instanceOfLogger: true });
    const lines = await until(() => {
      const all = jsonLines(app.stdout()).filter((l) => typeof l.step === 'number');
      return all.length === 3 && all;
    });
    assert.deepEqual(lines.map((l) => [l.level, l.message, l.step]), [
      ['debug', 'debug line after the level was set', 1],
      ['info', 'info line through a destructured method', 2],
      ['warn', 'child line', 3],
    ]);
    assert.ok(lines.every((l) => l.service === 'lazy-logger'), JSON.stringify(lines));
    assert.equal(lines[2].component, 'billing');
  } finally {
    await app.stop();
  }
});
