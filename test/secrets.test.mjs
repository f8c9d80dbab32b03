// The secrets processors on real SDK spans and log records: credential-like keys
// redacted, secrets inside strings masked, numbers, booleans and normalised statements
// left alone; and the one canary list (fixtures/canary-forms.js) through the masking of
// every sink — log lines, spans, OTLP log records, health output, slow queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { tracing } from './helpers/tracing.mjs';

const require = createRequire(import.meta.url);
const { RedactingSpanProcessor } = require('../dist/src/secrets/span-processor.js');
const { RedactingLogRecordProcessor } = require('../dist/src/secrets/index.js');
const { prepare } = require('../dist/src/logging/format.js');
const { createMasker, sanitizeDetails } = require('../dist/src/health/mask.js');
const { loadConfig } = require('../dist/src/config.js');
const { createDbFeature } = require('../dist/src/db/index.js');
const { canaryTexts, canaryFields, canarySql } = require('./fixtures/canary-forms.js');

test('span attributes, exception events and the status message are masked before export', () => {
  const { tracer, exporter } = tracing([new RedactingSpanProcessor()]);
  const span = tracer.startSpan('call', {
    kind: 2,
    attributes: {
      'url.full': 'https://REDACTED:REDACTED@api.test/v1?token=t0k&page=2',
      'url.query': '?access_token=abc&api_key=def&q=x',
      'http.request.header.authorization': ['Bearer abc'],
      'app.password': 'hunter2',
      'gen_ai.usage.input_tokens': 42,
      'db.query.text': 'UPDATE users SET password = ? WHERE id = ?',
      'app.note': 'see postgres://u:pw@db/x',
      'app.flag': true,
    },
  });
  span.recordException(new Error('connect redis://:s3cret@cache:6379 failed'));
  span.setStatus({ code: 2, message: 'upstream said Authorization: Bearer xyz' });
  span.end();
  const [out] = exporter.getFinishedSpans();
  assert.deepEqual(out.attributes, {
    'url.full': 'https://REDACTED:***@api.test/v1?token=[REDACTED]&page=2',
    'url.query': '?access_token=[REDACTED]&api_key=[REDACTED]&q=x',
    'http.request.header.authorization': '[REDACTED]',
    'app.password': '[REDACTED]',
    'gen_ai.usage.input_tokens': 42,
    'db.query.text': 'UPDATE users SET password = ? WHERE id = ?',
    'app.note': 'see postgres://u:***@db/x',
    'app.flag': true,
  });
  assert.equal(out.events[0].attributes['exception.message'], 'connect redis://:***@cache:6379 failed');
  assert.ok(!out.events[0].attributes['exception.stacktrace'].includes('s3cret'));
  assert.equal(out.status.message, 'upstream said Authorization: [REDACTED]');
});

test('log records: body and attributes masked; numbers and booleans kept', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new RedactingLogRecordProcessor(), new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger('test');
  logger.emit({ body: 'login with password=hunter2', attributes: { user: 'bob', password: 'hunter2', token_count: 3, ok: true, nested: { cookie: 'sid=1', url: 'mysql://r:pw@h/x' } } });
  logger.emit({ body: { message: 'm', secret: 'x' } });
  await provider.forceFlush();
  const [first, second] = exporter.getFinishedLogRecords();
  assert.equal(first.body, 'login with password=[REDACTED]');
  assert.deepEqual(first.attributes, { user: 'bob', password: '[REDACTED]', token_count: '[REDACTED]', ok: true, nested: { cookie: '[REDACTED]', url: 'mysql://r:***@h/x' } });
  assert.deepEqual(second.body, { message: 'm', secret: '[REDACTED]' });
  await provider.shutdown();
});

test('the canary list: every text and field masked by the masking of every sink', async () => {
  const c = 'Cn5ecret0b5e7ed';
  const texts = canaryTexts(c);
  const fields = canaryFields(c);
  const leaks = [];
  const check = (sink, form, output) => {
    if (JSON.stringify(output).includes(c)) leaks.push(`${sink} ${form}: ${JSON.stringify(output)}`);
  };

  // otelkit's log lines: the message, a field, an error.
  for (const [form, text] of Object.entries(texts)) {
    check('log message', form, prepare({ level: 'info', message: text }, 'svc'));
    check('log field', form, prepare({ level: 'info', message: 'm', note: text }, 'svc'));
    check('log error', form, prepare({ level: 'error', message: new Error(text) }, 'svc'));
  }
  for (const [form, value] of Object.entries(fields)) check('log field', form, prepare({ level: 'info', message: 'm', [form]: value }, 'svc'));

  // Spans: attribute values, credential-named attributes, exception events, the status.
  const { tracer, exporter } = tracing([new RedactingSpanProcessor()]);
  for (const [form, text] of Object.entries(texts)) {
    const span = tracer.startSpan(form, { attributes: { 'app.note': text, 'url.full': text } });
    span.recordException(new Error(text));
    span.setStatus({ code: 2, message: text });
    span.end();
  }
  tracer.startSpan('fields', { attributes: fields }).end();
  for (const span of exporter.getFinishedSpans()) check('span', span.name, { attributes: span.attributes, events: span.events, status: span.status });

  // OTLP log records of the app's own loggers.
  const logs = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new RedactingLogRecordProcessor(), new SimpleLogRecordProcessor({ exporter: logs })] });
  for (const [form, text] of Object.entries(texts)) provider.getLogger('app').emit({ body: text, attributes: { form, note: text } });
  provider.getLogger('app').emit({ body: 'fields', attributes: fields });
  await provider.forceFlush();
  for (const r of logs.getFinishedLogRecords()) check('log record', r.attributes.form ?? 'fields', { body: r.body, attributes: r.attributes });
  await provider.shutdown();

  // Health: a check's error text and its details.
  const mask = createMasker([]);
  for (const [form, text] of Object.entries(texts)) {
    check('health error', form, mask(text));
    check('health detail', form, sanitizeDetails({ note: text, nested: { list: [text] } }, mask));
  }
  check('health detail', 'fields', sanitizeDetails(fields, mask));

  // Slow queries and exported database spans: statements run against PostgreSQL, the
  // broken ones answered with the database's syntax error.
  const db = createDbFeature(loadConfig({ OTELKIT_SLOW_QUERY_MS: '0' }));
  const dbTracing = tracing([db.processor, new RedactingSpanProcessor()]);
  for (const [i, sql] of canarySql(c).entries()) {
    const span = dbTracing.tracer.startSpan(`pg.query:${sql.split(' ', 1)[0]} test`, { kind: 2, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.query.text': sql } });
    if (i > 0) span.setStatus({ code: 2, message: `syntax error at or near "${c}"` });
    span.end();
  }
  check('slow queries', 'sql', db.slow.list(10));
  check('slow queries', 'sql', db.slow.stats());
  for (const span of dbTracing.exporter.getFinishedSpans()) check('db span', span.name, { name: span.name, attributes: span.attributes, status: span.status });

  assert.deepEqual(leaks, []);
});
