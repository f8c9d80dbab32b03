// Regression: an app answering with res.writeHead(200, [[name, value], …]) — a form Node
// accepts only while no header was set with setHeader() — got ERR_INVALID_ARG_VALUE
// thrown into its handler, because the tracking headers had just been set that way; and
// with the flat form ([name, value, …]) repeated names collapsed to the last (two
// Set-Cookie headers became one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

test('writeHead with [name, value] pairs or a flat list still works, with the tracking headers', async () => {
  const app = await startApp(fixture('own-header-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
  try {
    const pairs = await get(`${app.url}/pairs`, { 'x-request-id': 'pairs-1' });
    assert.equal(pairs.status, 200);
    assert.equal(pairs.text, 'pairs');
    assert.equal(pairs.headers.get('content-type'), 'text/plain');
    assert.equal(pairs.headers.get('x-pair'), 'p1, p2');
    assert.equal(pairs.headers.get('x-request-id'), 'pairs-1');
    assert.match(pairs.headers.get('x-response-time'), /^\d+\.\d{2}ms$/);

    const flat = await get(`${app.url}/flat`, { 'x-request-id': 'flat-1' });
    assert.equal(flat.status, 200);
    assert.equal(flat.text, 'flat');
    assert.equal(flat.headers.get('x-request-id'), 'flat-by-app', "the app's own value wins");
    assert.deepEqual(flat.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.match(flat.headers.get('server-timing'), /traceparent/);
    assert.equal(app.stderr(), '');
  } finally {
    await app.stop();
  }
});
