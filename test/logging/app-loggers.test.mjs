// The application's own winston and pino loggers get request_id, trace_id and span_id on
// lines written inside a request, and with OTLP export on, their records and otelkit's
// logger's reach the collector in the request's trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { jsonLines } from '../helpers/logs.mjs';

const SERVER = 2;

test("the app's winston and pino lines carry the request's ids; all three loggers' records reach OTLP", async () => {
  const receiver = await startReceiver();
  const app = await startApp(fixture('app-loggers.js'), {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      OTEL_SERVICE_NAME: 'loggers-test',
      ENABLE_JSON_LOGS: 'true',
    },
  });
  try {
    const res = await get(`${app.url}/log`, { 'x-request-id': 'app-loggers-1' });
    assert.equal(res.status, 200);
    const span = await receiver.waitFor((s) => s.spans.find((x) => x.kind === SERVER && x.attributes['request.id'] === 'app-loggers-1'));
    const records = await receiver.waitFor((s) => {
      const found = ['winston', 'pino', 'otelkit'].map((src) => s.logs.find((l) => l.attributes.source === src));
      return found.every(Boolean) && found;
    });

    const lines = jsonLines(app.stdout());
    const winstonLine = lines.find((l) => l.message === 'from app winston');
    const pinoLine = lines.find((l) => l.msg === 'from app pino');
    const otelkitLine = lines.find((l) => l.message === 'from otelkit logger');
    for (const [name, line] of Object.entries({ winston: winstonLine, pino: pinoLine, otelkit: otelkitLine })) {
      assert.ok(line, `${name} line on stdout:\n${app.stdout()}`);
      assert.equal(line.request_id, 'app-loggers-1', name);
      assert.equal(line.trace_id, span.traceId, name);
      assert.equal(line.span_id, span.spanId, name);
    }

    for (const record of records) {
      assert.equal(record.traceId, span.traceId, record.body);
      assert.equal(record.spanId, span.spanId, record.body);
      assert.equal(record.attributes.request_id, 'app-loggers-1', record.body);
      assert.equal(record.resource['service.name'], 'loggers-test');
    }
    const [, , fromOtelkit] = records;
    assert.equal(fromOtelkit.body, 'from otelkit logger');
    assert.equal(fromOtelkit.severityText, 'info');
    assert.equal(fromOtelkit.attributes.timestamp, undefined, 'the record has its own time');
    assert.equal(fromOtelkit.attributes.service, undefined, 'the resource names the service');
  } finally {
    await app.stop();
    await receiver.close();
  }
});

test('start() called by the app after importing otelkit: the same logger gets correlation and OTLP export', async () => {
  const receiver = await startReceiver();
  const app = await startApp(fixture('programmatic-app.js'), {
    preload: null,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
    },
  });
  try {
    await get(`${app.url}/`, { 'x-request-id': 'prog-1' });
    const span = await receiver.waitFor((s) => s.spans.find((x) => x.kind === SERVER && x.attributes['request.id'] === 'prog-1'));
    const record = await receiver.waitFor((s) => s.logs.find((l) => l.body === 'inside request'));
    assert.equal(record.traceId, span.traceId);
    assert.equal(record.attributes.request_id, 'prog-1');
    const lines = jsonLines(app.stdout());
    assert.ok(lines.some((l) => l.message === 'before start' && l.level === 'info'), 'the logger worked before start()');
    const inside = lines.find((l) => l.message === 'inside request');
    assert.equal(inside.request_id, 'prog-1');
    assert.equal(inside.trace_id, span.traceId);
    assert.equal(receiver.logs.filter((l) => l.body === 'inside request').length, 1, 'one OTLP transport, not two');
  } finally {
    await app.stop();
    await receiver.close();
  }
});

test("an ES-module app imports { createLogger, getRequestId } from 'otelkit' under --import", async () => {
  const app = await startApp(fixture('esm-logger.mjs'), {
    preload: 'import',
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true' },
  });
  try {
    await get(`${app.url}/`, { 'x-request-id': 'esm-1' });
    await new Promise((r) => setTimeout(r, 200));
    const line = jsonLines(app.stdout()).find((l) => l.message === 'esm request');
    assert.ok(line, app.stdout() + app.stderr());
    assert.equal(line.component, 'esm-app');
    assert.equal(line.request_id, 'esm-1');
    assert.equal(line.seen, 'esm-1');
    assert.match(line.trace_id, /^[0-9a-f]{32}$/);
  } finally {
    await app.stop();
  }
});
