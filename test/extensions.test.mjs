// Additions to what otelkit builds, without a change to the app: an instrumentation, a span
// processor and resource attributes from a module named in OTELKIT_EXTENSIONS, and an
// extension that throws costing one warning. The added instrumentation patches a CommonJS
// library under --require and an ES-module library under --import (the ES-module hook
// wraps the modules of added instrumentations too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, get } from './helpers/app.mjs';
import { startReceiver } from './helpers/otlp-receiver.mjs';

const SERVER = 2;

for (const [file, preload] of [['app.js', 'require'], ['app.mjs', 'import']]) test(`OTELKIT_EXTENSIONS adds an instrumentation, a span processor and resource attributes (${file} under --${preload})`, async () => {
  const receiver = await startReceiver();
  const app = await startApp(fixture(`extensions/${file}`), {
    preload,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      OTELKIT_EXTENSIONS: './added.js, ./throws.js, ./missing.js',
    },
  });
  try {
    assert.equal((await get(app.url)).text, 'hello ada');
    const spans = await receiver.waitFor((s) => s.spans.some((x) => x.name === 'greeter.greet') && s.spans.some((x) => x.kind === SERVER) && s.spans);
    const greet = spans.find((x) => x.name === 'greeter.greet');
    const server = spans.find((x) => x.kind === SERVER);
    assert.equal(greet.parentSpanId, server.spanId, 'the added instrumentation\'s span is in the request');
    assert.equal(greet.scope, 'greeter-instrumentation');
    assert.equal(server.attributes['ext.tagged'], true, 'the added span processor saw the span');
    assert.equal(server.resource['team.name'], 'payments');
    for (let i = 0; i < 50 && !/instrumentations active/.test(app.stdout()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(app.stdout(), /instrumentations active: [^;]*greeter-instrumentation/);
    const warnings = app.output().split('\n').filter((l) => /broken-instrumentation|missing\.js/.test(l));
    assert.equal(warnings.length, 2, app.stderr());
    assert.match(warnings.join('\n'), /broken on purpose/);
    assert.match(warnings.join('\n'), /missing\.js could not be loaded/);
  } finally {
    await app.stop();
    await receiver.close();
  }
});
