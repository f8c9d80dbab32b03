// Regression: pg and mysql2 name a span after the statement text up to its first space,
// so `/*secret*/SELECT 1`, `SELECT\t'secret'` and `SELECT'secret'` put the literal (pg:
// upper-cased) into the span name, the APM operation, otelkit_apm_*{operation} and — pg's
// own metric — db_client_operation_duration_seconds{db_operation_name}; trackQueryTime()
// named with raw SQL put it in its span name and APM label. Every leading-comment variant
// made a new series (20,000 made 2,001 and a 6.8 MB /metrics). Names and labels now come
// from the normalised statement only, and the label values are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { parseProm } from '../helpers/prom.mjs';

const VARIANTS = 300;

test('poisoned statements: no literal in span names, APM operations or metric labels; series bounded', async () => {
  const canary = `lit${randomBytes(5).toString('hex')}`;
  const receiver = await startReceiver();
  const promPort = await freePort();
  const app = await startApp(fixture('poisoned-names-app.js'), {
    env: { CANARY: canary, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_METRIC_EXPORT_INTERVAL: '500' },
  });
  const admin = `http://127.0.0.1:${promPort}`;
  try {
    assert.equal((await get(`${app.url}/poison?n=${VARIANTS}`)).status, 200);
    const dbSpans = await receiver.waitFor((s) => {
      const found = s.spans.filter((x) => x.attributes['db.system.name'] === 'postgresql' || x.attributes['db.system.name'] === 'mysql');
      return found.length >= 2 * (VARIANTS + 2) && found;
    });
    const metrics = await get(`${admin}/metrics`);
    const apm = await get(`${admin}/api/performance/apm/stats`);
    const series = parseProm(metrics.text);

    // The statements ran and were measured under bounded names.
    const pgDuration = series.filter((s) => s.name === 'db_client_operation_duration_seconds_count');
    assert.ok(pgDuration.length >= 1, "pg's own duration metric");
    assert.deepEqual([...new Set(pgDuration.map((s) => s.labels.db_operation_name))], ['SELECT']);
    const apmCalls = series.filter((s) => s.name === 'otelkit_apm_calls_total');
    assert.ok(apmCalls.length <= 20, `${apmCalls.length} otelkit_apm_calls_total series`);
    const ops = apm.json.operations.filter((o) => o.kind === 'client' && !o.operation.startsWith('dns.')).map((o) => o.operation).sort();
    assert.deepEqual(ops, ['SELECT test'], 'pg and mysql2 calls count under one operation');
    assert.deepEqual([...new Set(dbSpans.map((s) => s.name))].sort(), ['SELECT', 'pg.query:SELECT test']);
    const tracked = receiver.spans.find((s) => s.attributes['otelkit.query.name']);
    assert.equal(tracked.name, 'SELECT name FROM people WHERE ssn = ?');
    assert.ok(metrics.text.length < 200_000, `/metrics is ${metrics.text.length} bytes`);

    for (const [name, text] of Object.entries({ metrics: metrics.text, apm: apm.text, spans: JSON.stringify(receiver.spans), otlp_metrics: JSON.stringify(receiver.metrics) })) {
      const at = text.toLowerCase().indexOf(canary);
      assert.equal(at, -1, `${name}: …${text.slice(Math.max(0, at - 160), at + 40)}…`);
    }
  } finally {
    await app.stop();
    await receiver.close();
  }
});
