// Regression: records of the app's own winston and pino loggers were exported over OTLP
// with their secret fields as they were (password, token, authorization, a URL with its
// password): otelkit's logger redacted its own lines, but the instrumentations' copies
// of the app's records reached the exporter untouched. Now they are masked on the way
// out; the app's own output stays the app's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

test("the app's winston and pino records are redacted in OTLP; its own stdout lines are untouched", async () => {
  const canary = `log${Date.now()}`;
  const receiver = await startReceiver();
  const app = await startApp(fixture('sinks-app.js'), {
    env: { CANARY: canary, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    assert.equal((await get(`${app.url}/secrets`)).status, 200);
    await receiver.waitFor((s) => s.logs.filter((l) => l.body === 'app login').length >= 2 && s.logs.some((l) => /^app calls/.test(l.body)));
    const winston = receiver.logs.find((l) => l.body === 'app login' && l.attributes.source === 'app-winston');
    const pino = receiver.logs.find((l) => l.body === 'app login' && l.attributes.source === 'app-pino');
    assert.equal(winston.attributes.user, 'bob');
    assert.equal(winston.attributes.password, '[REDACTED]');
    assert.equal(winston.attributes.authorization, '[REDACTED]');
    assert.equal(pino.attributes.password, '[REDACTED]');
    assert.equal(pino.attributes.token, '[REDACTED]');
    assert.ok(winston.traceId && pino.traceId, 'still correlated');
    assert.equal(receiver.logs.find((l) => /^app calls/.test(l.body)).body, 'app calls https://svc:***@api.internal/?token=[REDACTED]');
    assert.ok(!JSON.stringify(receiver.logs).includes(canary));
    // The app's own console lines are its own business, as without otelkit.
    const own = app.stdout().split('\n').filter((l) => l.includes('"source":"app-winston"') && l.includes('app login'));
    assert.equal(own.length, 1);
    assert.ok(own[0].includes(`"password":"${canary}"`));
  } finally {
    await app.stop();
    await receiver.close();
  }
});
