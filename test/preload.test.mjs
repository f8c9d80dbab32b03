// The preload really instruments CommonJS and ES-module apps: server spans and pg client
// spans reach an OTLP receiver over http/protobuf and http/json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReceiver } from './helpers/otlp-receiver.mjs';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';

const SERVER = 2;
const CLIENT = 3;

async function exercise({ file, preload, protocol }) {
  const receiver = await startReceiver();
  const app = await startApp(fixture(file), {
    preload,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
      OTEL_SERVICE_NAME: 'preload-test',
    },
  });
  try {
    const res = await get(`${app.url}/db?token=abc`, { 'x-request-id': 'req-preload-1' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { n: 42 });
    const spans = await receiver.waitFor((s) => {
      const server = s.spans.find((x) => x.kind === SERVER);
      const db = s.spans.find((x) => x.kind === CLIENT && x.attributes['db.system.name'] === 'postgresql' && x.attributes['db.query.text']);
      return server && db && [server, db];
    });
    return { spans, receiver, app };
  } finally {
    await app.stop();
    await receiver.close();
  }
}

for (const [file, preload] of [['cjs-app.js', 'require'], ['esm-app.mjs', 'import']]) {
  for (const protocol of ['http/protobuf', 'http/json']) {
    test(`${file} under --${preload} exports server and pg spans over ${protocol}`, async () => {
      const { spans: [server, db], receiver } = await exercise({ file, preload, protocol });
      assert.equal(server.attributes['http.request.method'], 'GET');
      assert.equal(server.attributes['url.path'], '/db');
      assert.equal(server.attributes['http.response.status_code'], 200);
      assert.equal(server.attributes['request.id'], 'req-preload-1');
      assert.equal(server.resource['service.name'], 'preload-test');
      assert.equal(db.traceId, server.traceId, 'the pg span belongs to the request trace');
      assert.equal(db.attributes['db.namespace'], 'test');
      assert.match(String(db.attributes['db.query.text']), /^SELECT \$1::int AS n$/);
      const expectedType = protocol === 'http/json' ? /json/ : /protobuf/;
      assert.ok(receiver.requests.every((r) => expectedType.test(r.contentType)), JSON.stringify(receiver.requests));
    });
  }
}

test('an ES-module app started with --require gets one clear warning and still runs', async () => {
  const app = await startApp(fixture('esm-app.mjs'), {
    preload: 'require',
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    assert.equal((await get(`${app.url}/`)).text, 'hello');
    const warnings = app.output().split('\n').filter((l) => l.includes('ES module started with --require'));
    assert.equal(warnings.length, 1, app.output());
    assert.match(warnings[0], /--import otelkit\/register/);
    assert.match(warnings[0], /CommonJS packages it imports .* are instrumented/, 'says what is instrumented');
    // The app's path is the user's (a checkout named otelkit would count too).
    const message = warnings[0].slice(warnings[0].indexOf('] ') + 2).replace(fixture('esm-app.mjs'), '<app>');
    assert.equal(message.match(/otelkit/g).length, 1, `names otelkit only in the command to use: ${message}`);
  } finally {
    await app.stop();
  }
});

test('cjs-app.js exports spans over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)', async () => {
  const { startGrpcReceiver } = await import('./helpers/otlp-grpc-receiver.mjs');
  const receiver = await startGrpcReceiver();
  const app = await startApp(fixture('cjs-app.js'), {
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
    },
  });
  try {
    assert.equal((await get(`${app.url}/db`, { 'x-request-id': 'grpc-1' })).status, 200);
    const deadline = Date.now() + 15000;
    let server;
    while (!server && Date.now() < deadline) {
      server = receiver.spans().find((s) => s.kind === SERVER && s.attributes.some((kv) => kv.key === 'request.id' && kv.value.stringValue === 'grpc-1'));
      if (!server) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(server, `server span over gRPC; stderr: ${app.stderr()}`);
    assert.ok(receiver.spans().some((s) => s.kind === CLIENT && s.name.startsWith('pg.query')));
  } finally {
    await app.stop();
    await receiver.close();
  }
});
