// NODE_OPTIONS='--require otelkit/register' through real wrappers: npm, npx, cross-env and
// nodemon run under the preload too, step aside, and the app's own process owns the admin
// port: its name, its requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, REGISTER_CJS } from '../helpers/app.mjs';
import { appDir, getJson, spawnGroup, HTTP_SERVER } from './helpers.mjs';

const REQUESTS = 5;

async function throughWrapper(command, args) {
  const app = appDir(
    {
      name: 'wrapped-app',
      scripts: { start: 'node server.js', dev: 'nodemon --quiet --watch server.js server.js' },
    },
    { 'server.js': HTTP_SERVER },
  );
  const adminPort = await freePort();
  const run = spawnGroup(command, args, {
    cwd: app.dir,
    env: { NODE_OPTIONS: `--require ${REGISTER_CJS}`, OTELKIT_ADMIN_PORT: String(adminPort), PORT: String(await freePort()) },
  });
  try {
    const [, port] = await run.waitFor(/LISTENING (\d+)/);
    for (let i = 0; i < REQUESTS; i++) assert.match(await (await fetch(`http://127.0.0.1:${port}/`)).text(), /^hello/);
    const health = await getJson(`http://127.0.0.1:${adminPort}/api/health`);
    const metrics = await getJson(`http://127.0.0.1:${adminPort}/api/metrics`);
    return { health: health.json, metrics: metrics.json, output: run.output() };
  } finally {
    await run.stop();
    app.remove();
  }
}

function assertServedByApp({ health, metrics, output }) {
  assert.equal(health.service, 'wrapped-app', output);
  assert.equal(metrics.application.requests_total, REQUESTS, output);
  assert.doesNotMatch(output, /EADDRINUSE|not served/);
}

test('npm start: npm steps aside, the app serves the admin port', async () => {
  assertServedByApp(await throughWrapper('npm', ['start']));
});

test('npx cross-env …: npx and cross-env step aside', async () => {
  assertServedByApp(await throughWrapper('npx', ['--no-install', 'cross-env', 'APP_MODE=x', 'node', 'server.js']));
});

test('npm run dev (npm → nodemon → node): both wrappers step aside', async () => {
  assertServedByApp(await throughWrapper('npm', ['run', 'dev']));
});
