// Secrets never reach a log: a canary value sent in headers, URLs and log fields of a real
// app is absent from stdout, stderr, LOG_FILE and the OTLP log records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { jsonLines, tempDir, allLogText } from '../helpers/logs.mjs';

const require = createRequire(import.meta.url);
const { sanitize, redactString } = require('../../dist/src/logging/redact.js');

async function until(fn, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('canary secrets in headers, URLs and fields appear in no output', async () => {
  const canary = `Cn${randomBytes(8).toString('hex')}`;
  const receiver = await startReceiver();
  const dir = tempDir();
  const app = await startApp(fixture('log-app.js'), {
    env: {
      CANARY: canary,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      ENABLE_JSON_LOGS: 'true',
      LOG_LEVEL: 'http',
      LOG_FILE: join(dir, 'app.log'),
    },
  });
  try {
    const res = await get(`${app.url}/secrets?api_key=${canary}&token=${canary}&page=2`, {
      authorization: `Bearer ${canary}`,
      cookie: `sid=${canary}; theme=dark`,
      'proxy-authorization': `Basic ${canary}`,
      'x-request-id': 'secret-1',
    });
    assert.equal(res.status, 200);
    await until(() => jsonLines(allLogText(dir)).some((l) => l.component === 'http' && l.request_id === 'secret-1'));
    await until(() => receiver.logs.some((l) => l.body === 'response headers'));

    const stdout = app.stdout();
    const outputs = {
      stdout,
      stderr: app.stderr(),
      file: allLogText(dir),
      otlp: JSON.stringify(receiver.logs),
    };
    for (const [name, text] of Object.entries(outputs)) {
      assert.ok(!text.includes(canary), `${name} contains the canary:\n${text.split('\n').filter((l) => l.includes(canary)).join('\n')}`);
    }

    // The lines were written, with the secrets masked and everything else kept.
    const lines = jsonLines(stdout).filter((l) => l.request_id === 'secret-1');
    const byMessage = (m) => lines.find((l) => (typeof m === 'string' ? l.message === m : m.test(l.message)));
    assert.equal(byMessage(/^connecting to/).message, 'connecting to postgres://app:***@db.internal:5432/orders');
    const login = byMessage('login attempt');
    assert.equal(login.user, 'bob');
    assert.equal(login.password, '[REDACTED]');
    assert.equal(login.nested.apiKey, '[REDACTED]');
    assert.equal(login.nested.deeper.client_secret, '[REDACTED]');
    assert.equal(login.nested.deeper.list[0].token, '[REDACTED]');
    assert.equal(login.nested.deeper.list[1].Authorization, '[REDACTED]');
    assert.equal(login.db.url, 'mysql://root:***@127.0.0.1/x');
    const headers = byMessage('request headers');
    assert.equal(headers.headers.authorization, '[REDACTED]');
    assert.equal(headers.headers.cookie, '[REDACTED]');
    assert.equal(headers.headers['proxy-authorization'], '[REDACTED]');
    assert.equal(headers.headers['x-request-id'], 'secret-1');
    assert.match(byMessage(/^GET \/secrets/).message, /api_key=\[REDACTED\]&token=\[REDACTED\]&page=2$/);
    assert.equal(byMessage('response headers').headers['set-cookie'], '[REDACTED]');
    const error = byMessage(/^database unreachable/);
    assert.equal(error.error.message, 'connect postgres://u:***@10.0.0.1/db failed');
    assert.ok(lines.some((l) => l.component === 'http'), 'the access line of the request');
  } finally {
    await app.stop();
    await receiver.close();
  }
});

test('redactString masks URL passwords, credentials and secret pairs; leaves other text alone', () => {
  const cases = [
    ['postgres://u:pw@host:5432/db', 'postgres://u:***@host:5432/db'],
    ['redis://:s3cret@cache:6379', 'redis://:***@cache:6379'],
    ['see http://host:8080/path?email=a@b.com', 'see http://host:8080/path?email=a@b.com'],
    ['Authorization: Bearer abc.def-ghi', 'Authorization: [REDACTED]'],
    ['sent bearer eyJhbGciOi.x.y to api', 'sent bearer [REDACTED] to api'],
    ['Cookie: a=1; sid=xyz', 'Cookie: [REDACTED]'],
    ['/login?user=bob&password=hunter2&next=/', '/login?user=bob&password=[REDACTED]&next=/'],
    ['{"api_key":"k-123","n":1}', '{"api_key":[REDACTED],"n":1}'],
    ['client_secret = abc123', 'client_secret = [REDACTED]'],
    ['GET /users/42 200 3.1ms', 'GET /users/42 200 3.1ms'],
  ];
  for (const [input, expected] of cases) assert.equal(redactString(input), expected, input);
});

test('sanitize: sensitive keys at any depth, errors, cycles, BigInt, bounded depth; the input is not changed', () => {
  const input = { user: { name: 'a', PassWord: 'x', profile: { api_key: 'k', Token: ['t'] } }, ok: true, secret: null };
  const frozen = JSON.stringify(input);
  assert.deepEqual(sanitize(input), { user: { name: 'a', PassWord: '[REDACTED]', profile: { api_key: '[REDACTED]', Token: '[REDACTED]' } }, ok: true, secret: null });
  assert.equal(JSON.stringify(input), frozen);

  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  assert.deepEqual(sanitize(cyclic), { a: 1, self: '[Circular]' });

  let deep = { leaf: 'x' };
  for (let i = 0; i < 20; i++) deep = { d: deep };
  assert.ok(JSON.stringify(sanitize(deep)).includes('[Object]'));

  const err = new Error('failed for postgres://u:pw@h/db', { cause: new TypeError('inner') });
  err.code = 'E_X';
  const clean = sanitize({ err, n: 10n, when: new Date(0), buf: Buffer.from('abc') });
  assert.equal(clean.err.name, 'Error');
  assert.equal(clean.err.message, 'failed for postgres://u:***@h/db');
  assert.match(clean.err.stack, /^Error: failed for postgres:\/\/u:\*\*\*@h\/db/);
  assert.equal(clean.err.code, 'E_X');
  assert.equal(clean.err.cause.name, 'TypeError');
  assert.equal(clean.n, '10');
  assert.equal(clean.when, '1970-01-01T00:00:00.000Z');
  assert.equal(clean.buf, '[Buffer 3 bytes]');
  assert.deepEqual(sanitize(['x', 'Authorization', 'Bearer abc', 'Cookie', 'sid=1']), ['x', 'Authorization', '[REDACTED]', 'Cookie', '[REDACTED]']);
});
