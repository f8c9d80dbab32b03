// Regression: DATABASE_URL and REDIS_URL with the password as a query parameter
// (`postgres://…/test?password=…`, `redis://…?password=…`; both drivers honour it) were
// served verbatim by /api/health/detailed, /api/health/database and /api/health/redis,
// and an invalid URL with a password in it was echoed whole in the configuration warning.
// Every credential-bearing part of a URL (userinfo, credential query parameters) is now
// masked wherever a URL is shown, and the URL stays readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

test('credentials in URL query parameters and in an invalid URL are never served or printed', async () => {
  const canary = `pw${randomBytes(6).toString('hex')}`;
  const adminPort = await freePort();
  const app = await startApp(fixture('health-app.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort),
      DATABASE_URL: `postgres://postgres@127.0.0.1:5432/test?password=${canary}&sslmode=disable`,
      REDIS_URL: `redis://127.0.0.1:6379/0?password=${canary}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://collector:${canary}@otel-collector:port4318`,
    },
  });
  const admin = `http://127.0.0.1:${adminPort}`;
  try {
    const detailed = await get(`${admin}/api/health/detailed`);
    const database = await get(`${admin}/api/health/database`);
    const redis = await get(`${admin}/api/health/redis`);
    assert.equal(detailed.json.checks.database.status, 'ok', detailed.text);
    assert.equal(database.json.target, 'postgres://***@127.0.0.1:5432/test?password=[REDACTED]&sslmode=disable');
    assert.equal(redis.json.target, 'redis://127.0.0.1:6379/0?password=[REDACTED]');
    assert.equal(detailed.json.checks.redis.target, redis.json.target);
    await new Promise((r) => setTimeout(r, 200));
    // The warning is one of otelkit's log lines (stdout), or on stderr before the logger is up.
    assert.match(app.stdout() + app.stderr(), /OTEL_EXPORTER_OTLP_ENDPOINT=\\?"http:\/\/\*\*\*@otel-collector:port4318\\?" is invalid/);
    for (const [name, text] of Object.entries({ detailed: detailed.text, database: database.text, redis: redis.text, stdout: app.stdout(), stderr: app.stderr() })) {
      const at = text.indexOf(canary);
      assert.equal(at, -1, `${name}: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
    }
  } finally {
    await app.stop();
  }
});
