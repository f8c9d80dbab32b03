// PM2 cluster mode with the real pm2 package, in a temporary PM2_HOME. The preload comes
// through NODE_OPTIONS, so PM2's CLI and daemon run it too and must step aside; the two
// workers coordinate among themselves (PM2's daemon is not ours): one holds the admin
// port and answers for both, and when it is killed the other takes over without the
// totals going backwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, freePort, REGISTER_CJS, ROOT } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';
import { appDir, eventually, getJson, HTTP_SERVER, PATH } from './helpers.mjs';

const run = promisify(execFile);
const PM2 = `${ROOT}node_modules/pm2/bin/pm2`;

async function hit(url, n) {
  for (let i = 0; i < n; i++) {
    await new Promise((resolve, reject) => get(url, { agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject));
  }
}

const requestCount = (text) => parseProm(text).filter((s) => s.name === 'http_server_request_duration_seconds_count').reduce((a, s) => a + s.value, 0);

/** PM2 with 2 instances of a plain http server under the preload; `body` runs with it, then everything ends. */
async function withPm2(body) {
  const home = mkdtempSync(join(tmpdir(), 'otelkit-pm2-'));
  const app = appDir({ name: 'pm2-app' }, { 'server.js': HTTP_SERVER });
  const [port, admin] = [await freePort(), await freePort()];
  const env = childEnv({ PATH, PM2_HOME: home, NODE_OPTIONS: `--require ${REGISTER_CJS}`, PORT: String(port), OTELKIT_ADMIN_PORT: String(admin), OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) });
  const pm2 = (...args) => run(process.execPath, [PM2, ...args], { env, cwd: app.dir, timeout: 60_000 });
  const adminUrl = `http://127.0.0.1:${admin}`;
  try {
    await pm2('start', 'server.js', '-i', '2', '--name', 'pm2-app');
    await eventually(async () => (await getJson(`${adminUrl}/api/metrics`)).json.cluster?.processes === 2, 30_000, 'both instances answering together');
    await body({ admin: adminUrl, app: `http://127.0.0.1:${port}` });
  } finally {
    await pm2('kill').catch(() => undefined);
    app.remove();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Scrapes /api/metrics until `done(metrics)`, recording every total seen on the way. */
async function scrapeUntil(admin, done, what) {
  const totals = [];
  const metrics = await eventually(async () => {
    const m = (await getJson(`${admin}/api/metrics`)).json;
    totals.push(m.application.requests_total);
    return done(m) && m;
  }, 15_000, what);
  return { metrics, totals };
}

const leaderOf = (m) => m.processes?.find((p) => p.role === 'leader')?.pid;

test('PM2 cluster mode, 2 instances: 40 of 40 requests on every scrape; the leader killed, another leads and nothing goes backwards', { timeout: 120_000 }, async (t) => {
  await withPm2(async ({ admin, app }) => {
    assert.equal((await getJson(`${admin}/api/health`)).json.service, 'pm2-app', 'named from the app, not from PM2');
    await hit(`${app}/`, 40);
    for (let scrape = 0; scrape < 3; scrape++) {
      const m = (await getJson(`${admin}/api/metrics`)).json;
      assert.equal(m.application.requests_total, 40, JSON.stringify(m.application));
      assert.equal(requestCount(await (await fetch(`${admin}/metrics`)).text()), 40);
    }
    const before = (await getJson(`${admin}/api/metrics`)).json;
    const own = await Promise.all(before.processes.map(async (p) => requestCount(await (await fetch(`${admin}/metrics?process=${p.pid}`)).text())));
    assert.ok(own.every((n) => n > 0), `both instances served: ${own}`);
    assert.equal(own[0] + own[1], 40);
    const leader = leaderOf(before);
    process.kill(leader, 'SIGKILL');
    const killedAt = performance.now();
    // The other instance usually wins the port; PM2's replacement may win it instead.
    const { metrics: after, totals } = await scrapeUntil(admin, (m) => {
      const now = leaderOf(m);
      return now !== undefined && now !== leader && m.cluster.processes === 2 && m.cluster.departed_processes >= 1;
    }, 'another instance leading, with PM2\'s replacement');
    t.diagnostic(`a new leader answered for 2 instances ${Math.round(performance.now() - killedAt)} ms after the kill`);
    assert.ok(totals.every((n) => n >= 40), `a scrape went backwards: ${totals}`);
    assert.equal(after.application.requests_total, 40);
  });
});

test('PM2: the restarted instance wins the port while the other is paused; the other hands over the departed leader\'s counts', { timeout: 120_000 }, async (t) => {
  await withPm2(async ({ admin, app }) => {
    await hit(`${app}/`, 40);
    const before = (await getJson(`${admin}/api/metrics`)).json;
    assert.equal(before.application.requests_total, 40);
    const leader = leaderOf(before);
    const follower = before.processes.find((p) => p.role === 'follower').pid;
    await new Promise((r) => setTimeout(r, 200)); // the baseline the scrape made the leader share reaches the follower
    process.kill(follower, 'SIGSTOP');
    let tookPortMs;
    try {
      process.kill(leader, 'SIGKILL');
      const killedAt = performance.now();
      // Alone on the port, the replacement answers for itself.
      await eventually(async () => {
        const m = (await getJson(`${admin}/api/metrics`)).json;
        return m.process.pid !== leader && m.process.pid !== follower;
      }, 15_000, 'PM2\'s replacement on the admin port');
      tookPortMs = performance.now() - killedAt;
    } finally {
      process.kill(follower, 'SIGCONT');
    }
    t.diagnostic(`the replacement took the port ${Math.round(tookPortMs)} ms after the kill`);
    assert.ok(tookPortMs >= 1000, 'finding the killed leader\'s socket, it left the port to the running instances for 1 s');
    const { metrics: after, totals } = await scrapeUntil(admin, (m) => m.cluster?.processes === 2, 'the paused instance joining the replacement');
    assert.notEqual(leaderOf(after), follower);
    assert.equal(after.cluster.departed_processes, 1, JSON.stringify(after.cluster));
    assert.equal(after.application.requests_total, 40, `the departed leader's share is kept: ${totals}`);
    assert.equal(requestCount(await (await fetch(`${admin}/metrics`)).text()), 40);
  });
});
