// An application that listens on the port of otelkit's admin server (9464 by default)
// gets it: otelkit steps aside with one warning instead of making the app crash with
// EADDRINUSE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

test('the app listening on the admin port in its first tick gets the port', async () => {
  const port = await freePort();
  const app = await startApp(fixture('own-9464-app.js'), { env: { APP_PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
  try {
    assert.equal(app.port, port);
    assert.equal((await get(`http://127.0.0.1:${port}/metrics`)).text, 'the app', 'the app answers on its port');
    const warnings = app.output().split('\n').filter((l) => /listens on port \d+ itself/.test(l));
    assert.equal(warnings.length, 1, app.output());
    assert.match(warnings[0], /OTELKIT_ADMIN_PORT/);
  } finally {
    await app.stop();
  }
});
