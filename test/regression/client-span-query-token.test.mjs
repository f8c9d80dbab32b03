// Regression: an outgoing call's token in the query string (`?token=…` through http.get,
// `?access_token=…&api_key=…` through fetch) was exported as it was in the client span's
// url.full and url.query: the OpenTelemetry HTTP instrumentation masks only the URL's
// user:password and four cloud signature parameters, the undici one nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const CLIENT = 3;

test('client spans keep the query parameter names, not the token values', async () => {
  const canary = `tok${Date.now()}`;
  const downstream = http.createServer((req, res) => res.end('ok'));
  await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
  const receiver = await startReceiver();
  const app = await startApp(fixture('sinks-app.js'), {
    env: {
      CANARY: canary,
      DOWNSTREAM_PORT: String(downstream.address().port),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
    },
  });
  try {
    assert.equal((await get(`${app.url}/secrets`)).status, 200);
    const outgoing = await receiver.waitFor((s) => {
      const spans = s.spans.filter((x) => x.kind === CLIENT && typeof x.attributes['url.full'] === 'string' && x.attributes['url.full'].includes('/cb'));
      return spans.length >= 2 && spans;
    });
    const viaHttp = outgoing.find((s) => s.attributes['url.full'].includes('token=') && !s.attributes['url.query']);
    const viaFetch = outgoing.find((s) => s.attributes['url.query']);
    assert.match(viaHttp.attributes['url.full'], /^http:\/\/REDACTED:(REDACTED|\*\*\*)@127\.0\.0\.1:\d+\/cb\?token=\[REDACTED\]&page=1$/);
    assert.match(viaFetch.attributes['url.full'], /\/cb\?access_token=\[REDACTED\]&api_key=\[REDACTED\]&page=2$/);
    assert.equal(viaFetch.attributes['url.query'], '?access_token=[REDACTED]&api_key=[REDACTED]&page=2');
    assert.ok(!JSON.stringify(receiver.spans).includes(canary));
  } finally {
    await app.stop();
    await receiver.close();
    downstream.close();
  }
});
