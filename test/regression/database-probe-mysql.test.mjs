// Regression: DATABASE_URL=mysql://… or mariadb://… was probed with the PostgreSQL client,
// so detailed health reported the database down with a PostgreSQL protocol error
// ("Received unexpected copyData message") while MariaDB was fine. MySQL and MariaDB URLs
// are now probed with the application's mysql2 or mariadb driver, and a URL whose
// driver the application does not have says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, fixture, freePort, get, ROOT } from '../helpers/app.mjs';
import { needsServices } from '../helpers/needs.mjs';

const MARIADB = '127.0.0.1:3306/test';
const skip = await needsServices('mariadb');

async function withApp(file, env, fn) {
  const adminPort = await freePort();
  const app = await startApp(file, { env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort), ...env } });
  try {
    await fn(`http://127.0.0.1:${adminPort}`, app);
  } finally {
    await app.stop();
  }
}

test('mysql:// is probed with the app\'s mysql2, mariadb:// with its mariadb driver: ok against the real MariaDB', { skip }, async () => {
  for (const [scheme, client] of [['mysql', 'mysql2'], ['mariadb', 'mariadb']]) {
    await withApp(fixture('mysql-app.js'), { DATABASE_URL: `${scheme}://root@${MARIADB}` }, async (admin) => {
      const one = await get(`${admin}/api/health/database`);
      assert.equal(one.status, 200, `${scheme}: ${one.text}`);
      assert.equal(one.json.status, 'ok', one.text);
      assert.equal(one.json.client, client);
      // A user name without a password is masked whole: it is often a token (docs/LOGGING.md).
      assert.equal(one.json.target, `${scheme}://***@${MARIADB}`);
      assert.equal(typeof one.json.latency_ms, 'number');
      console.log(`# ${scheme}:// probed with ${one.json.client}: ${one.json.status}, latency_ms ${one.json.latency_ms}`);
      const ready = await get(`${admin}/api/health/ready`);
      assert.deepEqual([ready.status, ready.json.checks], [200, { database: 'ok' }]);
      const apm = await get(`${admin}/api/performance/apm/stats`);
      assert.deepEqual(apm.json.operations.filter((o) => o.kind === 'client'), [], 'the probe is not the app\'s database work');
    });
  }
});

test('MySQL down or refusing the password: down with the driver\'s error, password masked', { skip }, async () => {
  const closed = await freePort();
  await withApp(fixture('mysql-app.js'), { DATABASE_URL: `mysql://root@127.0.0.1:${closed}/test`, OTELKIT_HEALTH_TIMEOUT_MS: '1000' }, async (admin) => {
    const one = await get(`${admin}/api/health/database`);
    assert.equal(one.status, 503, one.text);
    assert.equal(one.json.status, 'down');
    assert.match(one.json.error, /ECONNREFUSED/);
    assert.doesNotMatch(one.json.error, /copyData|postgres/i);
  });
  const password = 'pw-my-5ecret-88';
  await withApp(fixture('mysql-app.js'), { DATABASE_URL: `mariadb://otelkit_nobody:${password}@${MARIADB}` }, async (admin, app) => {
    const one = await get(`${admin}/api/health/database`);
    assert.equal(one.status, 503, one.text);
    assert.match(one.json.error, /Access denied/i);
    assert.equal(one.json.target, `mariadb://otelkit_nobody:***@${MARIADB}`);
    assert.ok(!one.text.includes(password) && !app.stderr().includes(password));
  });
});

test('an app without mysql2 or mariadb: not_configured, saying which drivers it needs; other schemes named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'otelkit-nomysql-'));
  try {
    await copyFile(fixture('health-app.js'), join(dir, 'app.js'));
    const entry = { OTELKIT_ENTRY: `${ROOT}dist/src/index.js` };
    await withApp(join(dir, 'app.js'), { ...entry, DATABASE_URL: `mysql://root@${MARIADB}` }, async (admin) => {
      const detailed = await get(`${admin}/api/health/detailed`);
      assert.equal(detailed.status, 200, detailed.text);
      const { database } = detailed.json.checks;
      assert.equal(database.status, 'not_configured');
      assert.match(database.error, /no MySQL\/MariaDB driver installed/);
      assert.match(database.error, /mysql2/);
      assert.match(database.error, /mariadb/);
      assert.deepEqual((await get(`${admin}/api/health/ready`)).json.checks, {}, 'a database that cannot be probed is not critical');
    });
    await withApp(join(dir, 'app.js'), { ...entry, DATABASE_URL: 'mongodb://127.0.0.1:27017/test' }, async (admin) => {
      const one = await get(`${admin}/api/health/database`);
      assert.equal(one.json.status, 'not_configured', one.text);
      assert.match(one.json.error, /mongodb/);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
