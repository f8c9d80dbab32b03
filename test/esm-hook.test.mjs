// Under --import, OpenTelemetry's ES-module hook (import-in-the-middle) wraps only the
// modules an instrumentation patches: the app's own modules keep their live bindings, and
// the packages instrumentations patch are still patched. Both loader kinds are checked: in
// the application's thread (this Node) and on a loader thread (Node 22.15.0, the oldest
// supported, whose in-thread hooks cannot run import-in-the-middle; .ci/run installs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startReceiver } from './helpers/otlp-receiver.mjs';
import { startApp, runApp, fixture, freePort, get, ROOT } from './helpers/app.mjs';

const FLOOR_NODE = `${ROOT}.node/22.15.0/bin/node`;
const floor = existsSync(FLOOR_NODE) ? false : 'Node 22.15.0 is not installed (NODE_MAJOR=22.15 sh scripts/with-node.sh node -v)';

const nodes = [['this Node (in-thread hook)', process.execPath, false], ['Node 22.15.0 (loader-thread hook)', FLOOR_NODE, floor]];

for (const [label, execPath, skip] of nodes) {
  test(`${label}: the app's own ES modules keep their live bindings under --import`, { skip }, async () => {
    const bare = await runApp(fixture('esm-own-app.mjs'), { preload: null, execPath });
    const run = await runApp(fixture('esm-own-app.mjs'), { preload: 'import', execPath, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
    assert.equal(run.code, 0, run.stderr);
    const expected = { connection: 'connected', calls: 1, namespace: 'connected' };
    assert.deepEqual(JSON.parse(bare.stdout), expected);
    assert.deepEqual(JSON.parse(run.stdout), expected, run.stderr);
    assert.doesNotMatch(run.stderr, /otelkit/);
  });

  test(`${label}: a package that arrives as an ES module is still patched (Koa router layers are spans)`, { skip }, async () => {
    const receiver = await startReceiver();
    const app = await startApp(fixture('koa-esm-app.mjs'), {
      preload: 'import',
      execPath,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
    });
    try {
      assert.deepEqual((await get(`${app.url}/users/7`)).json, { id: '7' });
      const [server, layer] = await receiver.waitFor((s) => {
        const server = s.spans.find((x) => x.kind === 2);
        const layer = s.spans.find((x) => x.scope === '@opentelemetry/instrumentation-koa');
        return server && layer && [server, layer];
      });
      assert.equal(layer.name, 'router - /users/:id');
      assert.equal(layer.traceId, server.traceId);
      assert.equal(server.name, 'GET /users/:id');
    } finally {
      await app.stop();
      await receiver.close();
    }
  });
}
