// Regression: the logger's redaction patterns backtracked quadratically on long runs of
// letters — an unbounded scheme part before "://" and `[\w.-]*` around a keyword — so
// one 40 KB log line mentioning "token" held the event loop for seconds (a 200 KB one
// for minutes), and the app with it. Now every pattern runs in linear time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { jsonLines } from '../helpers/logs.mjs';

const require = createRequire(import.meta.url);
const { redactString } = require('../../dist/src/logging/redact.js');

test('a 400 KB log line mentioning a token and a URL is written without holding the app', async () => {
  const app = await startApp(fixture('sinks-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), ENABLE_JSON_LOGS: 'true' } });
  try {
    const t = performance.now();
    const res = await get(`${app.url}/long-line`);
    const ms = performance.now() - t;
    assert.equal(res.status, 200);
    // Linear: tens of milliseconds. Quadratic: minutes (the test times out).
    assert.ok(ms < 10_000, `${ms.toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, 300));
    const line = jsonLines(app.stdout()).find((l) => l.message?.startsWith('token '));
    assert.ok(line, 'the line was written');
    assert.equal(line.message.length, 'token '.length + 200_000 + ' see https://example.test/ and '.length + 200_000);
  } finally {
    await app.stop();
  }
});

test('redactString on 1 MB adversarial inputs: every case well under a second, results still masked', () => {
  const n = 1_000_000;
  const inputs = ['a'.repeat(n) + ' http://u:pw@h/', 'token '.padEnd(n, 'a'), 'token'.repeat(n / 5), 'token="'.repeat(n / 7),
    `Basic ${'a'.repeat(n)}`, '://u:'.repeat(n / 5), `cookie${' '.repeat(n)}`, 'bearer '.repeat(n / 7), `x ${'a.'.repeat(n / 2)} password=pw`,
    // the rules added with the one rule set: userinfo tokens, short names, query-only names, JWTs, database errors
    `://${'a'.repeat(n)}`, 'pin = '.repeat(n / 6), 'auth-'.repeat(n / 5), '&sig'.repeat(n / 4), '?key'.repeat(n / 4), 'session_id: '.repeat(n / 12),
    'eyJ'.repeat(n / 3), 'eyJa.'.repeat(n / 5), ` eyJ${'a'.repeat(n)}.eyJ${'b'.repeat(n)}`, "near '".repeat(n / 6), 'near "'.repeat(n / 6),
    "near 'a' at line 1 ".repeat(n / 19), ')=('.repeat(n / 3), 'Failing row contains ('.repeat(n / 22), `for type ${'a'.repeat(n)}`];
  for (const s of inputs) {
    const t = performance.now();
    redactString(s);
    const ms = performance.now() - t;
    assert.ok(ms < 3000, `${JSON.stringify(s.slice(0, 20))}…: ${ms.toFixed(0)} ms`);
  }
  assert.equal(redactString(`${'a'.repeat(50_000)} postgres://u:pw@h/db token=abc`), `${'a'.repeat(50_000)} postgres://u:***@h/db token=[REDACTED]`);
  assert.equal(redactString('client_secret: "s3"'), 'client_secret: [REDACTED]');
  assert.equal(redactString('api_key=\'unterminated'), 'api_key=[REDACTED]');
  assert.equal(redactString(`${'a'.repeat(50_000)} near 'x' at line 1 https://tok@h/?sig=s`), `${'a'.repeat(50_000)} near ? at line 1 https://***@h/?sig=[REDACTED]`);
});
