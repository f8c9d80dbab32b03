// On a Node older than 22.15 (OpenTelemetry JS SDK 3's floor) the preload prints one line
// naming the Node it needs and the application runs uninstrumented. Uses the machine's own
// older Node when there is one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startApp, fixture, get, REGISTER_CJS } from './helpers/app.mjs';

function olderNode() {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const [major, minor] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 15)) return { path: candidate, version };
    } catch {
      // not there
    }
  }
  return undefined;
}

const old = olderNode();

test('an older Node: one line naming the Node needed, the app runs uninstrumented', { skip: old ? false : 'no Node older than 22.15 on this machine' }, async () => {
  const app = await startApp(fixture('cjs-app.js'), { preload: null, nodeArgs: ['--require', REGISTER_CJS], execPath: old.path, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  try {
    const res = await get(`${app.url}/`);
    assert.equal(res.text, 'hello');
    assert.equal(res.headers.get('x-request-id'), null, 'nothing is instrumented');
    assert.equal(app.stderr().trim(), `otelkit: needs Node.js >= 22.15.0 (this is ${old.version}); the application runs uninstrumented.`);
  } finally {
    await app.stop();
  }
});
