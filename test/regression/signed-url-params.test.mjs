// Regression: outgoing calls (http.get and fetch) to signed or credential-carrying URLs —
// an Azure SAS `sig`, S3's X-Amz-Signature / X-Amz-Credential / X-Amz-Security-Token,
// GCS's X-Goog-Credential, an OAuth `code`, `key`, `access_key`, `session`, `auth` — were
// exported with the values in url.full and url.query. The known credential parameters are
// now masked in every sink; the parameter names and the rest of the URL are kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const CLIENT = 3;

test('signed-URL and credential query parameters of outgoing calls are masked in exported spans', async () => {
  const canary = `sg${randomBytes(6).toString('hex')}`;
  const downstream = http.createServer((req, res) => res.end('ok'));
  await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
  const receiver = await startReceiver();
  const app = await startApp(fixture('sinks-app.js'), {
    env: { CANARY: canary, DOWNSTREAM_PORT: String(downstream.address().port), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    assert.equal((await get(`${app.url}/signed`)).status, 200);
    const calls = await receiver.waitFor((s) => {
      const found = s.spans.filter((x) => x.kind === CLIENT && typeof x.attributes['url.full'] === 'string' && x.attributes['url.full'].includes(`:${downstream.address().port}/`));
      return found.length >= 10 && found;
    });
    const urls = calls.map((s) => s.attributes['url.full']);
    const has = (re) => assert.equal(urls.filter((u) => re.test(u)).length, 2, `${re} through http.get and fetch:\n${urls.join('\n')}`);
    has(/\/c\/report\.pdf\?sv=2024-11-04&se=2030-01-01&sp=r&sig=(\[REDACTED\]|REDACTED)$/);
    has(/\/k\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\[REDACTED\]&X-Amz-Signature=(\[REDACTED\]|REDACTED)&X-Amz-Security-Token=\[REDACTED\]$/);
    has(/\/b\/o\?X-Goog-Credential=\[REDACTED\]&X-Goog-Signature=(\[REDACTED\]|REDACTED)$/);
    has(/\/callback\?code=\[REDACTED\]&state=xyz$/);
    has(/\/v1\?key=\[REDACTED\]&access_key=\[REDACTED\]&session=\[REDACTED\]&auth=\[REDACTED\]&token=\[REDACTED\]&api_key=\[REDACTED\]&page=2$/);
    const queries = calls.map((s) => s.attributes['url.query']).filter(Boolean);
    assert.ok(queries.length >= 5, 'fetch spans carry url.query');
    const spans = JSON.stringify(receiver.spans);
    const at = spans.indexOf(canary);
    assert.equal(at, -1, `…${spans.slice(Math.max(0, at - 160), at + 40)}…`);
  } finally {
    await app.stop();
    await receiver.close();
    downstream.close();
  }
});
