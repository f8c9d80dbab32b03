// The start-up self-report of a service that logs nothing else: the same line as every
// other record, in JSON and in text, at LOG_LEVEL's threshold, written without loading
// winston.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, get } from '../helpers/app.mjs';
import { jsonLines } from '../helpers/logs.mjs';

const ENV = { OTEL_EXPORTER_PROMETHEUS_PORT: '0', OTEL_SERVICE_NAME: 'quiet' };
const wait = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, ms = 5000) {
  for (const end = Date.now() + ms; Date.now() < end; await wait(50)) {
    const value = fn();
    if (value) return value;
  }
  return fn();
}

test('in production: one JSON record naming the active instrumentations; winston not loaded', async () => {
  const app = await startApp(fixture('quiet-app.js'), { env: { ...ENV, NODE_ENV: 'production' } });
  try {
    const line = await until(() => jsonLines(app.stdout()).find((l) => /^instrumentations active/.test(l.message)));
    assert.ok(line, app.stdout());
    assert.deepEqual(Object.keys(line), ['timestamp', 'level', 'message', 'service', 'component', 'instrumentations', 'waiting']);
    assert.equal(line.level, 'info');
    assert.equal(line.service, 'quiet');
    assert.equal(line.component, 'otelkit');
    assert.ok(line.instrumentations.includes('http'), line.message);
    assert.equal(typeof line.waiting, 'number');
    assert.match(line.message, new RegExp(`^instrumentations active: ${line.instrumentations.join(', ')}; ${line.waiting} more enabled`));
    assert.ok(!Number.isNaN(Date.parse(line.timestamp)));
    assert.deepEqual((await get(`${app.url}/winston`)).json, { winston: false });
  } finally {
    await app.stop();
  }
});

test('in development: the text line of every other record', async () => {
  const app = await startApp(fixture('quiet-app.js'), { env: { ...ENV, NODE_ENV: 'development' } });
  try {
    const line = await until(() => app.stdout().split('\n').find((l) => l.includes('instrumentations active')));
    assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info {2}\[quiet:otelkit\] instrumentations active: [a-z, -]+; \d+ more enabled, built when the app loads their module \{"instrumentations":\[.*\],"waiting":\d+\}$/);
    assert.deepEqual((await get(`${app.url}/winston`)).json, { winston: false });
  } finally {
    await app.stop();
  }
});

test('under LOG_LEVEL=warn it is not written', async () => {
  const app = await startApp(fixture('quiet-app.js'), { env: { ...ENV, NODE_ENV: 'production', LOG_LEVEL: 'warn' } });
  try {
    await wait(2000); // the report is due one second after start
    assert.doesNotMatch(app.stdout(), /instrumentations active/);
    assert.deepEqual((await get(`${app.url}/winston`)).json, { winston: false });
  } finally {
    await app.stop();
  }
});
