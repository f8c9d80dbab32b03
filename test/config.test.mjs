// Configuration: one table, frozen typed config, bad values warn once and fall back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startApp, runApp, fixture, freePort, get, ROOT } from './helpers/app.mjs';

const require = createRequire(import.meta.url);
const { loadConfig, ENV_TABLE } = require('../dist/src/config.js');

function load(env) {
  const warnings = [];
  const config = loadConfig(env, (w) => warnings.push(w));
  return { config, warnings };
}

test('defaults: embedded configuration with nothing set', () => {
  const { config, warnings } = load({});
  assert.deepEqual(warnings, []);
  assert.equal(config.prometheusHost, 'localhost');
  assert.equal(config.prometheusPort, 9464);
  assert.equal(config.adminPort, 9464, 'admin endpoints share the Prometheus server by default');
  assert.equal(config.slowQueryMs, 100);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.jsonLogs, false);
  assert.equal(config.requestIdHeader, 'X-Request-ID');
  assert.equal(config.tracesSampler, 'parentbased_always_on');
  assert.equal(config.accessLog, 'info', 'one access line per request at info');
  assert.equal(config.trustClientSampling, false);
  assert.ok(Object.isFrozen(config));
});

test('bad values: one warning naming variable, value and default; the default is used', () => {
  const { config, warnings } = load({
    OTELKIT_SLOW_QUERY_MS: 'banana',
    OTEL_EXPORTER_PROMETHEUS_PORT: '99999',
    LOG_LEVEL: 'loud',
    OTEL_TRACES_SAMPLER_ARG: '2',
    ENABLE_JSON_LOGS: 'maybe',
    LOG_MAX_SIZE: 'huge',
  });
  assert.equal(warnings.length, 6, warnings.join('\n'));
  assert.equal(config.slowQueryMs, 100);
  assert.equal(config.prometheusPort, 9464);
  assert.equal(config.logLevel, 'info');
  assert.equal(config.tracesSamplerArg, 1);
  assert.equal(config.jsonLogs, false);
  assert.equal(config.logMaxSize, '500m');
  const slow = warnings.find((w) => w.includes('OTELKIT_SLOW_QUERY_MS'));
  assert.match(slow, /"banana"/);
  assert.match(slow, /default "100"/);
  assert.match(warnings.find((w) => w.includes('OTEL_EXPORTER_PROMETHEUS_PORT')), /"99999".*outside 0\.\.65535.*"9464"/);
});

test('control characters in a bad value are never echoed raw', () => {
  const { warnings } = load({ OTELKIT_SLOW_QUERY_MS: 'x\u001b[31m\nred' });
  assert.equal(warnings.length, 1);
  assert.ok(!/[\u0000-\u001f]/.test(warnings[0]), JSON.stringify(warnings[0]));
});

test('an OTLP endpoint without a scheme is reported at start, and OTLP stays off', () => {
  const { config, warnings } = load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' });
  assert.equal(config.otlpEndpoint, '');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318" is invalid \(an OTLP endpoint needs http:\/\/ or https:\/\/, as in http:\/\/localhost:4318/);
});

test('NODE_ENV=production switches logs to JSON; admin port follows Prometheus unless set', () => {
  assert.equal(load({ NODE_ENV: 'production' }).config.jsonLogs, true);
  const { config } = load({ OTEL_EXPORTER_PROMETHEUS_PORT: '9100', OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0' });
  assert.equal(config.adminPort, 9100);
  assert.equal(config.adminHost, '0.0.0.0');
  assert.equal(load({ OTELKIT_ADMIN_PORT: '9200' }).config.adminPort, 9200);
});

test('docs/CONFIGURATION.md lists exactly the variables of the config table, with their defaults', () => {
  const readme = readFileSync(`${ROOT}docs/CONFIGURATION.md`, 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Za-z0-9_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1], m[2].trim()]);
  const documented = new Map(rows);
  const declared = new Map(ENV_TABLE.map((s) => [s.key, s.default]));
  assert.deepEqual([...documented.keys()].sort(), [...declared.keys()].sort());
  for (const [key, def] of declared) {
    const shown = documented.get(key).replace(/`/g, '');
    assert.equal(shown === '—' ? '' : shown, def, `default of ${key} in docs/CONFIGURATION.md`);
  }
});

test('the app runs with bad values: one warning per variable, a log record like any other', async () => {
  const port = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTELKIT_SLOW_QUERY_MS: 'banana', OTEL_EXPORTER_PROMETHEUS_PORT: '99999', OTELKIT_ADMIN_PORT: String(port) } });
  try {
    assert.equal((await get(`${app.url}/`)).text, 'hello');
    const lines = app.output().split('\n');
    assert.equal(lines.filter((l) => l.includes('OTELKIT_SLOW_QUERY_MS="banana"')).length, 1, app.output());
    assert.equal(lines.filter((l) => l.includes('OTEL_EXPORTER_PROMETHEUS_PORT="99999"')).length, 1);
    assert.match(lines.find((l) => l.includes('OTELKIT_SLOW_QUERY_MS')), /^\d{4}-\d\d-\d\dT[\d:.]+Z warn +\[[^\]]*otelkit:config\] /, 'timestamp, level, component');
  } finally {
    await app.stop();
  }
});

test('under ENABLE_JSON_LOGS=true a bad variable is a JSON record with time and level, on stdout and in LOG_FILE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-config-'));
  const app = await startApp(fixture('cjs-app.js'), { env: { OTELKIT_SLOW_QUERY_MS: 'banana', ENABLE_JSON_LOGS: 'true', LOG_FILE: join(dir, 'app.log'), OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  try {
    await get(`${app.url}/`);
    const isWarning = (r) => r.component === 'otelkit:config' && r.message.includes('OTELKIT_SLOW_QUERY_MS="banana"');
    const fromStdout = app.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter(isWarning);
    assert.equal(fromStdout.length, 1, app.output());
    assert.equal(fromStdout[0].level, 'warn');
    assert.ok(!Number.isNaN(Date.parse(fromStdout[0].timestamp)));
    assert.equal(app.stderr(), '', 'nothing on stderr');
    await app.stop();
    // The dated files (app.log itself is a link to the current one).
    const file = readdirSync(dir).filter((f) => f.endsWith('.log') && lstatSync(join(dir, f)).isFile()).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    const fromFile = file.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter(isWarning);
    assert.equal(fromFile.length, 1, file.slice(0, 500));
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('OTEL_SDK_DISABLED=true installs nothing: no headers, no endpoint', async () => {
  const promPort = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort) } });
  try {
    const res = await get(`${app.url}/`);
    assert.equal(res.text, 'hello');
    assert.equal(res.headers.get('x-request-id'), null);
    assert.equal(res.headers.get('server-timing'), null);
    await assert.rejects(fetch(`http://127.0.0.1:${promPort}/metrics`));
    assert.equal(app.stderr(), '');
    assert.doesNotMatch(app.stdout(), /otelkit/, 'not even a log line');
  } finally {
    await app.stop();
  }
});

for (const preload of ['require', 'import']) {
  test(`OTEL_SDK_DISABLED=true: --${preload} otelkit/register loads no module and adds no listener`, async () => {
    const bare = JSON.parse((await runApp(fixture('disabled-probe.js'), { preload: null })).stdout);
    const disabled = JSON.parse((await runApp(fixture('disabled-probe.js'), { preload, env: { OTEL_SDK_DISABLED: 'true' } })).stdout);
    assert.equal(disabled.preloaded, 2, 'the preload was there');
    assert.deepEqual({ loaded: disabled.loaded, exit: disabled.exit }, { loaded: bare.loaded, exit: bare.exit });
    const enabled = JSON.parse((await runApp(fixture('disabled-probe.js'), { preload, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } })).stdout);
    assert.ok(enabled.loaded > 0, 'the control: enabled, the preload loads the SDK');
  });
}

test('runApp sanity: a script that exits on its own is unaffected', async () => {
  const run = await runApp(fixture('short-script.js'), { env: { OTEL_SDK_DISABLED: 'true' } });
  assert.equal(run.code, 7);
});

test('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg: no pg spans, the http server span stays', async () => {
  const { startReceiver } = await import('./helpers/otlp-receiver.mjs');
  const receiver = await startReceiver();
  const app = await startApp(fixture('cjs-app.js'), {
    env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) },
  });
  try {
    assert.equal((await get(`${app.url}/db`, { 'x-request-id': 'no-pg' })).status, 200);
    await receiver.waitFor((s) => s.spans.some((x) => x.attributes['request.id'] === 'no-pg'));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(receiver.spans.filter((x) => x.attributes['db.system.name']).length, 0);
    assert.match(app.stdout(), /instrumentations active: [^;]*http/);
    assert.doesNotMatch(app.stdout().split('\n').find((l) => l.includes('instrumentations active')) ?? '', /\bpg\b/);
  } finally {
    await app.stop();
    await receiver.close();
  }
});
