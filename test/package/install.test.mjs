// otelkit as a user gets it: the packed tarball installed into an app of its own, beside the
// app's own current dependencies (@opentelemetry/api@latest, amqplib, mysql) from the npm
// registry, and started with the one-line preload. Also: installing from git builds the
// package; the types resolve under nodenext and node16; an @opentelemetry/api outside the
// peer range is named at start; an app's pinned older winston transport still exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, get, ROOT, freePort } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const traceOf = (res) => /traceparent;desc="00-([0-9a-f]{32})-/.exec(res.headers.get('server-timing') ?? '')?.[1];

let work;
let appDir;
let tarball;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'otelkit-package-'));
  npm(['pack', '--pack-destination', work, ROOT], ROOT);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  appDir = join(work, 'app');
  cpSync(new URL('./app', import.meta.url), appDir, { recursive: true });
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'user-app', version: '2.3.4', private: true }));
  npm(['install', tarball, '@opentelemetry/api@latest', 'amqplib', 'mysql'], appDir);
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the tarball ships the compiled package and nothing of the tests or the build machine', () => {
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of ['dist/register.js', 'dist/register.mjs', 'dist/otelkit.js', 'dist/src/index.d.ts']) assert.ok(listing.includes(`package/${file}`), file);
  assert.ok(!listing.includes('package/dist/src/index.js'), 'the compiled code ships once, in dist/otelkit.js');
  assert.ok(!listing.some((f) => /\/(test|bench|scripts)\//.test(f) || f.endsWith('.cache')), listing.filter((f) => /test|bench|\.cache/.test(f)).join(', '));
  const text = execFileSync('sh', ['-c', `tar xzf ${JSON.stringify(tarball)} -O`], { encoding: 'latin1', maxBuffer: 64 << 20 });
  assert.ok(!text.includes(ROOT), 'no file of the package names the directory it was built in');
});

test('an app with its own @opentelemetry/api@latest, amqplib and mysql, under --require otelkit/register', async () => {
  const receiver = await startReceiver();
  const admin = await freePort();
  const app = await startApp(join(appDir, 'app.js'), {
    preload: null,
    nodeArgs: ['--require', 'otelkit/register'],
    cwd: appDir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) },
  });
  try {
    assert.doesNotMatch(app.stderr(), /otelkit/, 'no warning at start');
    const own = await get(`${app.url}/own`);
    assert.equal(own.json.recording, true, 'the app\'s own @opentelemetry/api records');
    assert.equal(own.json.traceId, traceOf(own), 'in the request\'s trace');
    await receiver.waitFor((s) => s.spans.some((x) => x.name === 'user.work' && x.traceId === own.json.traceId));

    const amqp = await get(`${app.url}/amqp`);
    const spans = await receiver.waitFor((s) => {
      const mine = s.spans.filter((x) => x.traceId === traceOf(amqp));
      return mine.some((x) => x.kind === PRODUCER) && mine.some((x) => x.kind === CONSUMER) && mine;
    });
    assert.ok(spans.some((x) => x.kind === SERVER));

    await get(`${app.url}/slow`);
    const slow = (await get(`http://127.0.0.1:${admin}/api/performance/slow-queries`)).json;
    const record = slow.queries.find((q) => q.db_system === 'mysql');
    assert.ok(record && record.duration_ms >= 100, JSON.stringify(slow));
    assert.equal(record.statement, 'SELECT SLEEP(?) AS s, ? AS c');
    await receiver.waitFor((s) => s.spans.some((x) => x.kind === CLIENT && /SLEEP/.test(x.attributes['db.query.text'] ?? '')));
    assert.doesNotMatch(JSON.stringify(receiver.spans), /user-secret-4410/);

    const crash = await get(`${app.url}/crash`);
    assert.match(crash.json.stack, /Error: crash inside trace/);
    assert.ok(!crash.json.stack.includes(ROOT), `no frame names the build machine:\n${crash.json.stack}`);
    assert.match(crash.json.stack, /node_modules\/otelkit\/dist\/otelkit\.js:\d+:\d+/, "otelkit's frames are ordinary frames of its installed file");
    assert.equal(receiver.spans[0].resource['service.name'], 'user-app');
  } finally {
    await app.stop();
    await receiver.close();
  }
});

test('an ES-module app under --import otelkit/register, with named imports', async () => {
  const app = await startApp(join(appDir, 'app.mjs'), { preload: null, nodeArgs: ['--import', 'otelkit/register'], cwd: appDir, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  try {
    const res = await get(app.url, { 'x-request-id': 'esm-req-1' });
    assert.deepEqual(res.json, { id: 'esm-req-1', traced: 42 });
    assert.doesNotMatch(app.stderr(), /otelkit/);
  } finally {
    await app.stop();
  }
});

test('the published types compile under moduleResolution nodenext and node16', () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  for (const resolution of ['nodenext', 'node16']) {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', resolution, '--moduleResolution', resolution, '--target', 'es2022', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), join(appDir, 'types.ts')], { cwd: appDir, encoding: 'utf8' });
  }
});

test('an @opentelemetry/api outside the peer range: one line at start naming both versions', async () => {
  const dir = join(work, 'old-api');
  cpSync(new URL('./app', import.meta.url), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'old-api-app', version: '1.0.0', private: true }));
  // npm refuses the conflicting peer without --legacy-peer-deps, and says so.
  assert.throws(() => npm(['install', tarball, '@opentelemetry/api@1.9.0'], dir), /peer|ERESOLVE/);
  npm(['install', '--legacy-peer-deps', tarball, '@opentelemetry/api@1.9.0'], dir);
  const app = await startApp(join(dir, 'app.mjs'), { preload: null, nodeArgs: ['--require', 'otelkit/register'], cwd: dir, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  try {
    const lines = app.stderr().split('\n').filter((l) => /@opentelemetry\/api/.test(l));
    assert.equal(lines.length, 1, app.stderr());
    assert.match(lines[0], /1\.9\.0/);
    assert.match(lines[0], />=1\.10\.0 <1\.11\.0/);
  } finally {
    await app.stop();
  }
});

test('an app that pins an older @opentelemetry/winston-transport (0.34, through api-logs): its winston records are still exported', async () => {
  const dir = join(work, 'old-transport');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'old-transport-app', version: '1.0.0', private: true }));
  writeFileSync(join(dir, 'app.js'), [
    "const http = require('node:http');",
    "const logger = require('winston').createLogger({ transports: [new (require('winston').transports.Console)()] });",
    "const server = http.createServer((req, res) => { logger.info('from the app, old transport'); res.end('ok'); });",
    "server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));",
  ].join('\n'));
  npm(['install', tarball, '@opentelemetry/api@latest', 'winston', '@opentelemetry/winston-transport@0.34.0'], dir);
  assert.ok(existsSync(join(dir, 'node_modules/@opentelemetry/winston-transport/node_modules/@opentelemetry/api-logs'))
    || existsSync(join(dir, 'node_modules/@opentelemetry/api-logs')), 'the pinned transport brings @opentelemetry/api-logs');
  const receiver = await startReceiver();
  const app = await startApp(join(dir, 'app.js'), {
    preload: null,
    nodeArgs: ['--require', 'otelkit/register'],
    cwd: dir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BLRP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
  });
  try {
    await get(app.url);
    const record = await receiver.waitFor((s) => s.logs.find((l) => l.body === 'from the app, old transport'));
    assert.equal(record.resource['service.name'], 'old-transport-app');
    assert.match(record.traceId ?? '', /^[0-9a-f]{32}$/, 'in the request\'s trace');
  } finally {
    await app.stop();
    await receiver.close();
  }
});

test('installed from git, the package is built on install and the preload starts', async () => {
  const dir = join(work, 'from-git');
  cpSync(new URL('./app', import.meta.url), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'git-app', version: '1.0.0', private: true }));
  npm(['install', `git+file://${ROOT}`, '@opentelemetry/api@latest'], dir);
  assert.ok(existsSync(join(dir, 'node_modules/otelkit/dist/register.js')), 'dist/ built on install');
  const admin = await freePort();
  const app = await startApp(join(dir, 'app.mjs'), { preload: null, nodeArgs: ['--require', 'otelkit/register'], cwd: dir, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) } });
  try {
    await get(app.url);
    const metrics = await get(`http://127.0.0.1:${admin}/metrics`);
    assert.match(metrics.text, /http_server_request_duration_seconds_count\{/);
  } finally {
    await app.stop();
  }
});
