// Regression: an error thrown inside a trace()-wrapped function (or any span recording an
// exception) was exported with its message as it was — a connection string's password
// and an api_key in the exception event's message and stack and in the span status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

test('exception events and the status message are masked like log lines', async () => {
  const canary = `exc${Date.now()}`;
  const receiver = await startReceiver();
  const app = await startApp(fixture('sinks-app.js'), {
    env: { CANARY: canary, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    assert.equal((await get(`${app.url}/secrets`)).status, 200);
    const span = await receiver.waitFor((s) => s.spans.find((x) => x.name === 'charge_card'));
    const event = span.events.find((e) => e.name === 'exception');
    assert.equal(event.attributes['exception.message'], 'gateway https://shop:***@pay.internal/v1/charge?api_key=[REDACTED] refused 12');
    assert.match(event.attributes['exception.stacktrace'], /^Error: gateway https:\/\/shop:\*\*\*@pay\.internal\/v1\/charge\?api_key=\[REDACTED\] refused 12\n\s+at /);
    assert.equal(span.status.code, 2);
    assert.equal(span.status.message, event.attributes['exception.message']);
    assert.ok(!JSON.stringify(receiver.spans).includes(canary));
  } finally {
    await app.stop();
    await receiver.close();
  }
});
