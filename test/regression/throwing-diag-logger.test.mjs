// Regression: when the application installs a diag logger of its own that throws
// (diag.setLogger), otelkit's report of an error it had just swallowed — a span processor
// failing on a poisoned span, a health check going down — threw that logger's error into
// the application instead: out of span.end() into a request handler, or as an unhandled
// rejection from the health probe. otelkit's component loggers now swallow it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const require = createRequire(import.meta.url);
const { guard } = require('../../dist/src/guard.js');
const { componentLogger } = require('../../dist/src/diag.js');

test('a guarded failure reported through a throwing diag logger does not throw', () => {
  const boom = () => {
    throw new Error('app logger broke');
  };
  diag.setLogger({ error: boom, warn: boom, info: boom, debug: boom, verbose: boom }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  try {
    assert.doesNotThrow(() => guard('regression-site', () => {
      throw new Error('inner');
    })());
    assert.doesNotThrow(() => componentLogger('otelkit:test').warn('hello'));
  } finally {
    diag.disable();
  }
});

test('an app with a throwing diag logger: its requests see no error from otelkit', async () => {
  const app = await startApp(fixture('hooks-app.js'), {
    env: { THROWING_DIAG: '1', OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTELKIT_HEALTH_TIMEOUT_MS: '300' },
  });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await get(`${app.url}/work`)).status, 200);
    await new Promise((r) => setTimeout(r, 500)); // the first health probe has run and found checks down
    assert.equal((await get(`${app.url}/errors`)).text, '0', app.stdout());
  } finally {
    await app.stop();
  }
});
