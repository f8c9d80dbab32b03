// otelkit as a user gets it: the packed tarball installed into an app of its own, beside the
// app's own current dependencies (@opentelemetry/api@latest, amqplib, mysql) from the npm
// registry, and started with the one-line preload. Also: installing from git builds the
// package; the types resolve under nodenext and node16; an @opentelemetry/api outside the
// peer range is named at start; an app's pinned older winston transport still exports; an
// app installed with pnpm without hoisting, where a package reaches only what it declares
// (and every package the shipped code requires by name is declared).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
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

/** An app of its own named `name`: app.js is `lines`, then listening on a free port. */
function writeApp(name, lines) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  writeFileSync(join(dir, 'app.js'), [...lines, "server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));"].join('\n'));
  return dir;
}

test('the tarball ships the compiled package and nothing of the tests or the build machine', () => {
  const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of ['dist/register.js', 'dist/register.mjs', 'dist/otelkit.js', 'dist/src/index.d.ts']) assert.ok(listing.includes(`package/${file}`), file);
  assert.ok(!listing.includes('package/dist/src/index.js'), 'the compiled code ships once, in dist/otelkit.js');
  assert.ok(!listing.some((f) => /\/(test|bench|scripts)\//.test(f) || f.endsWith('.cache')), listing.filter((f) => /test|bench|\.cache/.test(f)).join(', '));
  const text = execFileSync('sh', ['-c', `tar xzf ${JSON.stringify(tarball)} -O`], { encoding: 'latin1', maxBuffer: 64 << 20 });
  assert.ok(!text.includes(ROOT), 'no file of the package names the directory it was built in');
});

test('every package the shipped code requires by name is one it declares', () => {
  // A layout where each package reaches only what it declares (pnpm without hoisting)
  // finds nothing else; the instrumentations are found from the catalogue that declares them.
  const { dependencies, peerDependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(dependencies), ...Object.keys(peerDependencies)]);
  const named = new Set();
  for (const file of ['dist/otelkit.js', 'dist/register.js', 'dist/register.mjs']) {
    const code = readFileSync(join(ROOT, file), 'utf8');
    for (const [, id] of code.matchAll(/(?:\brequire(?:\.resolve)?\(|\bimport\(|\bfrom )\s*["']([^"'./][^"']*)["']/g)) {
      if (id.startsWith('node:') || builtinModules.includes(id.split('/')[0])) continue;
      named.add(id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]);
    }
  }
  assert.ok(named.has('@opentelemetry/sdk-trace') && named.has('winston'), [...named].join(', '));
  assert.deepEqual([...named].filter((name) => !declared.has(name)), []);
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
  const dir = writeApp('old-transport-app', [
    "const http = require('node:http');",
    "const logger = require('winston').createLogger({ transports: [new (require('winston').transports.Console)()] });",
    "const server = http.createServer((req, res) => { logger.info('from the app, old transport'); res.end('ok'); });",
  ]);
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

test('installed with pnpm without hoisting (each package reaches only what it declares): spans, pg and slow queries; winston records once the app adds the transport', async () => {
  const dir = writeApp('pnpm-app', [
    "const http = require('node:http');",
    "const { Pool } = require('pg');",
    "const winston = require('winston');",
    "const { trace } = require('@opentelemetry/api');",
    "const logger = winston.createLogger({ transports: [new winston.transports.Console()] });",
    "const pool = new Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 1 });",
    'const server = http.createServer(async (req, res) => {',
    "  const span = trace.getTracer('pnpm-app').startSpan('user.work');",
    '  span.end();',
    "  await pool.query(\"SELECT pg_sleep(0.12), 'user-secret-7781' AS s\");",
    "  logger.info('served under pnpm');",
    '  res.end(JSON.stringify({ traceId: span.spanContext().traceId }));',
    '});',
  ]);
  // pnpm refuses to finish while a package's install script waits for approval (protobufjs's
  // is a version notice); the store is the test's own.
  const pnpm = (...packages) => execFileSync('npx', ['--yes', 'pnpm@12', 'add', '--config.strict-dep-builds=false', '--config.hoist=false', `--store-dir=${join(work, 'pnpm-store')}`, ...packages], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  pnpm(tarball, '@opentelemetry/api@latest', 'winston', 'pg');
  assert.ok(existsSync(join(dir, 'node_modules/.pnpm')), "pnpm's layout");
  assert.ok(!existsSync(join(dir, 'node_modules/.pnpm/node_modules')), 'nothing hoisted where every package could reach it');
  const receiver = await startReceiver();
  const admin = await freePort();
  const start = () => startApp(join(dir, 'app.js'), {
    preload: null,
    nodeArgs: ['--require', 'otelkit/register'],
    cwd: dir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_BLRP_SCHEDULE_DELAY: '100', OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) },
  });
  let app = await start();
  try {
    assert.doesNotMatch(app.stderr(), /otelkit/, 'otelkit starts');
    const warnings = app.stdout().split('\n').filter((l) => / warn /.test(l));
    assert.equal(warnings.length, 1, app.stdout());
    assert.match(warnings[0], /winston records are not exported: .*add @opentelemetry\/winston-transport to the application's dependencies/);
    const res = await get(app.url);
    const traceId = traceOf(res);
    assert.equal(res.json.traceId, traceId, "the app's own span is in the request's trace");
    const spans = await receiver.waitFor((s) => {
      const mine = s.spans.filter((x) => x.traceId === traceId);
      return mine.some((x) => x.name === 'user.work') && mine.some((x) => x.kind === CLIENT && x.attributes['db.system.name'] === 'postgresql') && mine;
    });
    assert.ok(spans.some((x) => x.kind === SERVER));
    const slow = (await get(`http://127.0.0.1:${admin}/api/performance/slow-queries`)).json;
    const query = slow.queries.find((q) => q.db_system === 'postgresql');
    assert.ok(query && query.duration_ms >= 100, JSON.stringify(slow));
    assert.equal(query.statement, 'SELECT pg_sleep(?), ? AS s');
    assert.equal(query.trace_id, traceId);
    assert.doesNotMatch(JSON.stringify([receiver.spans, slow]), /user-secret-7781/);
    await app.stop();

    pnpm('@opentelemetry/winston-transport');
    app = await start();
    assert.doesNotMatch(app.stderr() + app.stdout(), / warn .*winston-transport/, 'no warning once the app has the transport');
    const again = await get(app.url);
    const record = await receiver.waitFor((s) => s.logs.find((l) => l.body === 'served under pnpm'));
    assert.equal(record.traceId, traceOf(again), "the winston record is in the request's trace");
    assert.equal(record.resource['service.name'], 'pnpm-app');
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
