// Regression: an app that builds SQL by concatenation and gets a quote in its input
// (`… WHERE name = 'a' canary ''`, `… = 'O'Brien canary note'`) had the input kept in the
// statement of its slow-query records, slow-query statistics and exported spans — the
// scanner read the words between the broken quotes as SQL — and the database's syntax
// error (`at or near "canary"`, MySQL's `near 'O'Brien canary note'`) exported as it was
// in the exception events of the Koa router's spans and in otelkit's log lines. Now such a
// statement is reduced to its operation and table, and database error text is scrubbed
// on every span, event and log line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { jsonLines } from '../helpers/logs.mjs';

const CLIENT = 3;

test('broken concatenated SQL: no input in statements, span names, exception events or log lines', async () => {
  const canary = `cnry${randomBytes(5).toString('hex')}`;
  const receiver = await startReceiver();
  const promPort = await freePort();
  const app = await startApp(fixture('concat-sql-app.js'), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_SLOW_QUERY_MS: '0', ENABLE_JSON_LOGS: 'true' },
  });
  const admin = `http://127.0.0.1:${promPort}`;
  try {
    const inputs = [`a' ${canary} '`, `O'Brien ${canary} note`];
    for (const db of ['pg', 'mysql']) {
      for (const name of inputs) assert.equal((await get(`${app.url}/${db}/notes?name=${encodeURIComponent(name)}`)).status, 500);
    }
    const dbSpans = await receiver.waitFor((s) => {
      const found = s.spans.filter((x) => x.kind === CLIENT && /^(postgresql|mysql)$/.test(x.attributes['db.system.name']));
      return found.length >= 4 && found;
    });
    await receiver.waitFor((s) => s.spans.filter((x) => x.events.some((e) => e.name === 'exception')).length >= 4);
    const slow = await get(`${admin}/api/performance/slow-queries?limit=100`);
    const stats = await get(`${admin}/api/performance/slow-queries/stats`);
    const errors = await get(`${admin}/api/performance/errors`);
    const lines = jsonLines(app.stdout()).filter((l) => l.message?.startsWith('request failed'));
    assert.equal(lines.length, 4, 'each failure logged');

    // The statements are reduced to their operation and table.
    for (const span of dbSpans) assert.match(span.attributes['db.query.text'], /^SELECT notes \/\* text removed: (unbalanced quotes|rejected by the database) \*\/$/);
    const statements = new Set(slow.json.queries.map((q) => q.statement));
    assert.deepEqual([...statements].sort(), ['SELECT notes /* text removed: rejected by the database */', 'SELECT notes /* text removed: unbalanced quotes */']);
    // The database's error keeps its words, not the input.
    const messages = lines.map((l) => l.error.message).sort();
    assert.ok(messages.some((m) => /^syntax error at or near \?$/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /for the right syntax to use near \? at line 1$/.test(m)), messages.join('\n'));
    // Exceptions recorded on spans other than the database's (the Koa router's layer spans).
    const koa = receiver.spans.filter((x) => x.kind !== CLIENT && x.events.some((e) => e.name === 'exception'));
    assert.ok(koa.length >= 4, 'exception events outside the database spans');

    // The request's own query string (url.query of the server span) is the request's data, not SQL.
    const spans = receiver.spans.map((x) => (x.kind === 2 ? { ...x, attributes: { ...x.attributes, 'url.query': undefined, 'url.full': undefined } } : x));
    const sinks = { spans: JSON.stringify(spans), slow: slow.text, stats: stats.text, errors: errors.text, stdout: app.stdout(), logs: JSON.stringify(receiver.logs) };
    for (const [name, text] of Object.entries(sinks)) {
      const at = text.indexOf(canary);
      assert.equal(at, -1, `${name}: …${text.slice(Math.max(0, at - 200), at + 40)}…`);
    }
  } finally {
    await app.stop();
    await receiver.close();
  }
});
