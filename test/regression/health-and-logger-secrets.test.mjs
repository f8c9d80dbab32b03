// Regression: a custom health check's error text or detail fields (`api_key=…`,
// `Bearer …`, `"password": …`) were served and printed unmasked, and the logger did not
// mask passphrase, auth, pin, session_id or jwt fields, `sig=`/`code=` parameters in text,
// or a token as a URL's userinfo (`https://token@host`). Health output and log lines now
// go through the same rule set as spans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { jsonLines } from '../helpers/logs.mjs';
import { eventually } from '../helpers/health.mjs';

test('custom health checks and log lines: errors, details and fields masked', async () => {
  const canary = `hc${randomBytes(6).toString('hex')}`;
  const adminPort = await freePort();
  const app = await startApp(fixture('sinks-app.js'), {
    env: { CANARY: canary, OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort), ENABLE_JSON_LOGS: 'true' },
  });
  const admin = `http://127.0.0.1:${adminPort}`;
  try {
    const bearer = await get(`${admin}/api/health/canary_authorization_bearer`);
    const apiKey = await get(`${admin}/api/health/canary_api_key_pair`);
    const fields = await get(`${admin}/api/health/canary_fields`);
    const json = await get(`${admin}/api/health/canary_json_password`);
    const texts = await get(`${admin}/api/health/canary_texts_1`);
    const detailed = await get(`${admin}/api/health/detailed`);
    assert.deepEqual([bearer.json.status, bearer.json.error], ['down', 'Authorization: [REDACTED]']);
    assert.equal(apiKey.json.error, 'api_key=[REDACTED]');
    for (const name of ['password', 'api_key', 'passphrase', 'auth', 'pin', 'session_id', 'jwt', 'x-auth-token']) assert.equal(fields.json[name], '[REDACTED]', name);
    assert.equal(json.json.error, '{"user":"bob","password":[REDACTED]}');
    assert.equal(texts.json.json_password, '[REDACTED]', 'a detail named like a credential');
    assert.match(texts.json.azure_sas, /&sp=r&sig=\[REDACTED\]$/);
    assert.equal(texts.json.oauth_code, 'https://app.test/callback?code=[REDACTED]&state=xyz');
    assert.equal(texts.json.bearer_in_text, 'retrying with bearer [REDACTED] after 401');
    assert.equal((await get(`${admin}/api/health/canary_url_token_userinfo`)).json.error, 'https://***@github.com/acme/repo.git');

    assert.equal((await get(`${app.url}/forms`)).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const lines = jsonLines(app.stdout());
    const fieldsLine = lines.find((l) => l.message === 'fields');
    for (const name of ['passphrase', 'auth', 'pin', 'userPin', 'session_id', 'sessionId', 'jwt', 'sig', 'otp']) assert.equal(fieldsLine[name], '[REDACTED]', name);
    const messages = lines.map((l) => l.message);
    for (const expected of ['sig=[REDACTED]&sv=2024', 'redirect ?code=[REDACTED]', 'https://***@github.com/acme/repo.git', 'passphrase: [REDACTED]', 'pin=[REDACTED]', 'session_id=[REDACTED]', 'jwt: [REDACTED]']) {
      assert.ok(messages.includes(expected), expected);
    }
    // by the background probe, a second after start
    const reported = () => jsonLines(app.stdout()).some((l) => /^health check canary_\w+ is down: /.test(l.message)) || /health check canary_/.test(app.stderr());
    assert.ok(await eventually(reported).catch(() => false), 'a check going down is reported');

    for (const [name, text] of Object.entries({ detailed: detailed.text, bearer: bearer.text, json: json.text, fields: fields.text, texts: texts.text, stdout: app.stdout(), stderr: app.stderr() })) {
      const at = text.indexOf(canary);
      assert.equal(at, -1, `${name}: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
    }
  } finally {
    await app.stop();
  }
});
