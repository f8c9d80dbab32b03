// The secrets processors on real SDK spans and log records: credential-like keys
// redacted, secrets inside strings masked, numbers, booleans and normalised statements
// left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { tracing } from './helpers/tracing.mjs';

const require = createRequire(import.meta.url);
const { RedactingSpanProcessor } = require('../dist/src/secrets/span-processor.js');
const { RedactingLogRecordProcessor } = require('../dist/src/secrets/index.js');

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
