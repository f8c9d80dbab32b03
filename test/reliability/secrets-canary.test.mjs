// A canary secret sent and used everywhere a secret travels in a real app — Authorization,
// Cookie and Set-Cookie headers, passwords in URLs (outgoing calls, DATABASE_URL,
// REDIS_URL), tokens in query strings, SQL literals, log fields of otelkit's logger and of
// the app's own winston and pino — and in every form of the one canary list
// (fixtures/canary-forms.js: URL credentials and signed-URL parameters, credential pairs,
// JWTs, database error texts, credential-named fields, broken concatenated SQL) as log
// lines, span attributes and exceptions, health check errors and details, trackQueryTime
// names, statements and outgoing calls, must be absent from every sink otelkit writes or
// serves: its log lines (stdout, LOG_FILE), stderr, exported spans, metrics and log
// records, slow-query records, the Prometheus text and every admin endpoint.
//
// The app's own loggers write their own lines to stdout themselves; otelkit does not
// rewrite them (they are the app's output, as they would be without otelkit), but their
// records' copies exported over OTLP are otelkit's and are redacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { allLogText, jsonLines, tempDir } from '../helpers/logs.mjs';
import { sleep } from '../helpers/load.mjs';
import forms from '../fixtures/canary-forms.js';

const ADMIN_GET = ['/metrics', '/api/metrics/prometheus', '/api/metrics', '/api/health', '/api/health/live', '/api/health/ready',
  '/api/health/detailed', '/api/health/database', '/api/health/redis', '/api/health/resilience', '/api/performance/apm/stats',
  '/api/performance/apm/metrics', '/api/performance/slow-queries?limit=1000', '/api/performance/slow-queries/stats',
  '/api/performance/n-plus-one', '/api/performance/errors'];

/** Lines the app's own loggers wrote to stdout themselves (marked by the fixture). */
const isAppLoggerLine = (line) => /"source":"app-(winston|pino)"/.test(line) || /^\{"level":"info","message":"app calls/.test(line);

test('canary secrets in headers, URLs, query strings, SQL and log fields: found in no otelkit sink', async () => {
  const canary = `Cn${randomBytes(6).toString('hex')}`;
  const downstream = http.createServer((req, res) => res.end('downstream ok'));
  await new Promise((r) => downstream.listen(0, '127.0.0.1', r));
  const receiver = await startReceiver({ keepRaw: true });
  const dir = tempDir();
  const promPort = await freePort();
  const app = await startApp(fixture('sinks-app.js'), {
    env: {
      CANARY: canary,
      DOWNSTREAM_PORT: String(downstream.address().port),
      // trust authentication: the password is never asked for, so any value works.
      APP_DATABASE_URL: `postgres://postgres:${canary}@127.0.0.1:5432/test`,
      DATABASE_URL: `postgres://postgres:${canary}@127.0.0.1:5432/test`,
      REDIS_URL: `redis://default:${canary}@127.0.0.1:6379`,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTELKIT_SLOW_QUERY_MS: '0',
      ENABLE_JSON_LOGS: 'true',
      LOG_LEVEL: 'debug',
      LOG_FILE: join(dir, 'app.log'),
    },
  });
  const admin = `http://127.0.0.1:${promPort}`;
  try {
    const headers = { authorization: `Bearer ${canary}`, cookie: `sid=${canary}; theme=dark`, 'x-request-id': 'canary-1' };
    const res = await get(`${app.url}/secrets?token=${canary}&password=${canary}&page=2`, headers);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.headers.get('set-cookie').includes(canary), 'the app did send its cookie');
    await receiver.waitFor((s) => s.logs.some((l) => /^charge failed/.test(l.body)) && s.spans.some((x) => x.name === 'charge_card'));
    await receiver.waitFor((s) => s.spans.some((x) => x.kind === 3 && /^GET/.test(x.name)) && s.logs.some((l) => l.body === 'app login'));
    await sleep(1200); // a metrics export after the request

    const sinks = {};
    const stdout = app.stdout();
    sinks.stdout = stdout.split('\n').filter((l) => !isAppLoggerLine(l)).join('\n');
    sinks.stderr = app.stderr();
    sinks.log_file = allLogText(dir);
    for (const path of ADMIN_GET) sinks[path] = (await get(`${admin}${path}`)).text;
    sinks.otlp_spans = JSON.stringify(receiver.spans);
    sinks.otlp_metrics = JSON.stringify(receiver.metrics);
    sinks.otlp_logs = JSON.stringify(receiver.logs);
    sinks.otlp_raw = Buffer.concat(receiver.raw).toString('latin1');

    // The secrets were really used: the telemetry of each is there, without them.
    const spans = receiver.spans;
    const outgoing = spans.filter((s) => s.kind === 3 && s.attributes['url.full']);
    assert.ok(outgoing.length >= 2, 'http.get and fetch client spans');
    assert.ok(spans.some((s) => s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system'] === 'postgresql'), 'pg spans');
    assert.ok(JSON.parse(sinks['/api/performance/slow-queries?limit=1000']).queries.length >= 2, 'slow-query records');
    assert.ok(JSON.parse(sinks['/api/performance/errors']).errors.some((e) => /^gateway https:\/\/shop:\*\*\*@pay\.internal/.test(e.message)), 'the failed charge is in the error store');
    const appLines = stdout.split('\n').filter(isAppLoggerLine);
    assert.ok(appLines.length >= 3, 'the app logged through its own loggers');
    // …and every form of the canary list really reached each sink, masked.
    const texts = Object.keys(forms.canaryTexts(canary));
    const fields = Object.keys(forms.canaryFields(canary));
    const checks = JSON.parse(sinks['/api/health/detailed']).checks;
    for (const name of texts) assert.equal(typeof checks[`canary_${name}`]?.error, 'string', `health check canary_${name}`);
    for (const name of fields) assert.equal(checks.canary_fields[name], '[REDACTED]', `health detail ${name}`);
    assert.ok(checks.canary_texts_1.url_password && checks.canary_texts_2.mysql_duplicate_entry, 'text details served');
    const formsSpan = spans.find((x) => x.name === 'canary_forms');
    assert.equal(Object.keys(formsSpan.attributes).length, texts.length + fields.length);
    assert.equal(formsSpan.events.length, texts.length);
    const logged = jsonLines(sinks.log_file);
    assert.ok(texts.length <= logged.filter((l) => l.request_id === 'canary-1' && l.level === 'info').length, 'each text logged');
    assert.ok(logged.some((l) => l.message === 'fields' && fields.every((f) => l[f] === '[REDACTED]')), 'fields logged, redacted');
    assert.ok(outgoing.filter((x) => /\?(sv|X-Amz-Algorithm|X-Goog-Credential|code|key)=/.test(x.attributes['url.full'])).length >= 10, 'signed-URL calls');
    const statements = JSON.parse(sinks['/api/performance/slow-queries?limit=1000']).queries.map((q) => q.statement);
    assert.ok(statements.includes('UPDATE users /* text removed: unbalanced quotes */'), statements.join('\n'));
    assert.ok(statements.includes('SELECT notes /* text removed: rejected by the database */'), statements.join('\n'));

    const found = Object.entries(sinks).filter(([, text]) => text.includes(canary));
    const detail = found.map(([name, text]) => {
      const at = text.indexOf(canary);
      return `${name}: …${text.slice(Math.max(0, at - 160), at + 40)}…`;
    });
    console.log(`# canaries: ${Object.keys(sinks).length} sinks scanned (stdout, stderr, LOG_FILE, OTLP spans/metrics/logs decoded and raw, ${ADMIN_GET.length} admin endpoints); canaries found ${found.length}; `
      + `the app's own winston/pino lines on stdout (${appLines.length}, not otelkit's) hold it ${appLines.filter((l) => l.includes(canary)).length} times, as they do without otelkit`);
    assert.deepEqual(detail, []);
    assert.ok(jsonLines(sinks.log_file).some((l) => l.message === 'login attempt' && l.password === '[REDACTED]'), 'otelkit redacts, it does not drop the line');
  } finally {
    await app.stop();
    await receiver.close();
    downstream.close();
  }
});
