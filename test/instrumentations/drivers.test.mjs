// The catalogue's instrumentations against the real servers of this machine: PostgreSQL (pg,
// knex over pg), MariaDB (mysql2 and the legacy mysql driver), Redis (ioredis, redis) and
// RabbitMQ (amqplib), each call exported as the client span of its request's trace; a slow
// statement of the mysql driver becomes a slow-query record without its literals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsServices } from '../helpers/needs.mjs';
import { startApp, fixture, get, freePort } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

const traceOf = (res) => /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing') ?? '')?.[1];

test('pg, knex, mysql2, mysql, ioredis, redis and amqplib: spans in the request trace, slow queries, the app\'s own spans', { skip: await needsServices('mariadb', 'rabbitmq') }, async () => {
  const receiver = await startReceiver();
  const admin = await freePort();
  const app = await startApp(fixture('drivers-app.js'), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) },
  });
  try {
    // The self-report comes a second after start, with what the app has loaded by then.
    for (let i = 0; i < 50 && !/instrumentations active/.test(app.stdout()); i++) await new Promise((r) => setTimeout(r, 100));
    const active = /instrumentations active: ([^;]*);/.exec(app.stdout())?.[1].split(', ') ?? [];
    for (const name of ['amqplib', 'http', 'ioredis', 'knex', 'mysql', 'mysql2', 'pg', 'redis']) assert.ok(active.includes(name), `${name} in the start-up report: ${active}`);

    const inTrace = async (path, predicate, what) => {
      const res = await get(`${app.url}${path}`);
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      const traceId = traceOf(res);
      const spans = await receiver.waitFor((s) => {
        const mine = s.spans.filter((x) => x.traceId === traceId);
        return mine.some((x) => x.kind === SERVER) && predicate(mine) ? mine : undefined;
      }).catch(() => assert.fail(`${path}: ${what}; exported: ${JSON.stringify(receiver.spans.filter((x) => x.traceId === traceId).map((x) => [x.name, x.kind, x.scope]))}`));
      return { res, spans };
    };
    const client = (scope, system) => (spans) => spans.some((s) => s.kind === CLIENT && s.scope === `@opentelemetry/instrumentation-${scope}` && s.attributes['db.system.name'] === system);

    await inTrace('/pg', client('pg', 'postgresql'), 'a pg client span');
    const knex = await inTrace('/knex', (spans) => client('knex', 'postgresql')(spans) && client('pg', 'postgresql')(spans), 'knex and pg client spans');
    const knexSpan = knex.spans.find((s) => s.scope === '@opentelemetry/instrumentation-knex');
    assert.match(knexSpan.attributes['db.query.text'], /select "tablename" from "pg_catalog"\."pg_tables" where "schemaname" = \? limit \?/i);
    await inTrace('/mysql2', client('mysql2', 'mysql'), 'a mysql2 client span');
    await inTrace('/mysql', client('mysql', 'mysql'), 'a mysql client span');
    await inTrace('/ioredis', client('ioredis', 'redis'), 'an ioredis client span');
    await inTrace('/redis', client('redis', 'redis'), 'a redis client span');

    const amqp = await inTrace('/amqp', (spans) => spans.some((s) => s.kind === PRODUCER) && spans.some((s) => s.kind === CONSUMER)
      && spans.some((s) => s.name === 'app.handle-message'), 'PRODUCER, CONSUMER and the consumer\'s own span');
    const producer = amqp.spans.find((s) => s.kind === PRODUCER);
    const consumer = amqp.spans.find((s) => s.kind === CONSUMER);
    assert.equal(amqp.spans.find((s) => s.name === 'app.handle-message').parentSpanId, consumer.spanId, 'the consumer\'s work runs in the CONSUMER span');
    assert.ok(consumer.parentSpanId === producer.spanId || consumer.links.some((l) => l.spanId === producer.spanId), 'the CONSUMER span follows the PRODUCER span');

    const own = await inTrace('/own-span', (spans) => spans.some((s) => s.name === 'app.own-work'), 'the app\'s own span');
    assert.equal(own.res.json.recording, true);
    assert.equal(own.res.json.traceId, traceOf(own.res), 'the app\'s span is in the request\'s trace');
    assert.equal(own.spans.find((s) => s.name === 'app.own-work').attributes['app.step'], 'own');

    // A statement of the legacy mysql driver over 100 ms: a slow-query record, literals removed.
    await inTrace('/mysql-slow', client('mysql', 'mysql'), 'the slow mysql span');
    const slow = (await get(`http://127.0.0.1:${admin}/api/performance/slow-queries`)).json;
    const record = slow.queries.find((q) => q.db_system === 'mysql');
    assert.ok(record, JSON.stringify(slow));
    assert.ok(record.duration_ms >= 100, `${record.duration_ms} ms`);
    assert.doesNotMatch(JSON.stringify(slow), /canary-literal-7731|0\.15/);
    assert.match(record.statement, /^SELECT SLEEP\(\?\) AS s, \? AS c$/);
    const exported = receiver.spans.find((s) => s.scope === '@opentelemetry/instrumentation-mysql' && /SLEEP/.test(s.attributes['db.query.text'] ?? ''));
    assert.doesNotMatch(JSON.stringify(exported), /canary-literal-7731/);
  } finally {
    await app.stop();
    await receiver.close();
  }
});
