// Regression: the pattern that masks passwords in health output (`scheme://user:pw@`)
// backtracked quadratically over long runs of letters, so a custom check returning a
// large string detail (here 1 MB) froze the event loop — the app stopped answering
// anything — from the first background probe on. It now runs in linear time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const require = createRequire(import.meta.url);
const { createMasker } = require('../../dist/src/health/mask.js');

test('a check answering 1 MB of detail: the app and its health endpoints keep answering', async () => {
  const promPort = await freePort();
  const app = await startApp(fixture('hooks-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_HEALTH_TIMEOUT_MS: '300' } });
  try {
    await new Promise((r) => setTimeout(r, 300)); // the first background probe has run
    const signal = AbortSignal.timeout(10_000);
    const hello = await fetch(`${app.url}/hello`, { signal });
    assert.equal(await hello.text(), 'hello');
    const huge = await get(`http://127.0.0.1:${promPort}/api/health/huge`);
    assert.equal(huge.status, 200);
    assert.equal(huge.json.details_dropped, 'not serialisable or over 4096 characters');
  } finally {
    await app.stop();
  }
});

test('the masker still masks, and runs in linear time on 1 MB', () => {
  const mask = createMasker(['postgres://u:pw-secret@db/x']);
  const t = performance.now();
  mask('x'.repeat(1_000_000));
  assert.ok(performance.now() - t < 3000);
  assert.equal(mask(`${'x'.repeat(100_000)} redis://a:b@h pw-secret`).slice(100_000), ' redis://a:***@h ***');
});
