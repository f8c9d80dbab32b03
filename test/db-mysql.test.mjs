// Slow queries from mysql2 against the machine's real MariaDB: recorded, literals removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsServices } from './helpers/needs.mjs';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';

test('mysql2 query over the threshold becomes a slow-query record without its literals', { skip: await needsServices('mariadb') }, async () => {
  const admin = await freePort();
  const app = await startApp(fixture('mysql-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) } });
  try {
    assert.deepEqual((await get(`${app.url}/fast`)).json, { n: 42 });
    const slow = await get(`${app.url}/slow`, { 'x-request-id': 'mysql-slow-1' });
    assert.equal(slow.status, 200, slow.text);
    const { json } = await get(`http://127.0.0.1:${admin}/api/performance/slow-queries`);
    const record = json.queries.find((q) => q.request_id === 'mysql-slow-1');
    assert.ok(record, JSON.stringify(json));
    assert.equal(record.db_system, 'mysql');
    assert.equal(record.db_name, 'test');
    assert.ok(record.duration_ms >= 140, String(record.duration_ms));
    assert.match(record.statement, /^SELECT SLEEP\(\?\) AS s, \? AS tag$/);
    assert.ok(!JSON.stringify(json).includes('mysql-canary-77'));
    assert.ok(!json.queries.some((q) => /\+ 1/.test(q.statement)), 'the fast query is not recorded');
    const apm = await get(`http://127.0.0.1:${admin}/api/performance/apm/stats`);
    assert.ok(apm.json.operations.some((o) => o.kind === 'client' && /SELECT/.test(o.operation)), JSON.stringify(apm.json));
  } finally {
    await app.stop();
  }
});
