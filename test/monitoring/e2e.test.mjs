// End to end: the demo service runs under otelkit; a real Prometheus scrapes its
// Prometheus endpoint every second with the REAL rule files (plus a test-only copy of
// HighErrorRate whose `for` is 5s); a real Alertmanager routes to a webhook this test
// runs. Traffic with 5xx answers, slow queries and N+1 requests is driven, then:
//   - the real HighErrorRate is pending (or firing) and the copy fires;
//   - Alertmanager delivers it to the webhook;
//   - every alert, recording and dashboard expression evaluates without error;
//   - every metric name used in rules and the dashboard exists in that Prometheus.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needsCommands } from '../helpers/needs.mjs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startApp, freePort, get, ROOT } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import {
  PROMETHEUS_DIR, ALERTMANAGER_YML, ruleFiles, allRules, alertRules, readYaml, dashboardQueries, variableSelectors,
} from './helpers/pack.mjs';
import { metricNames, substituteGrafana } from './helpers/promql.mjs';

const JOB = 'otelkit-demo';
const SHORT_FOR = '5s';

describe('monitoring pack end to end (demo + prometheus + alertmanager)', { timeout: 150000, skip: needsCommands('prometheus', 'prometheus-alertmanager') }, () => {
  const s = { procs: [], hooks: [], logs: {} };
  let prom; // Prometheus base URL

  before(async () => {
    s.tmp = mkdtempSync(join(tmpdir(), 'otelkit-e2e-'));

    // the webhook Alertmanager delivers to
    s.hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        try { s.hooks.push(JSON.parse(body)); } catch { s.hooks.push({ invalid: body }); }
        res.end('ok');
      });
    });
    await new Promise((r) => s.hook.listen(0, '127.0.0.1', r));

    // OTLP export on, so the exporter-health metrics (otel_sdk_*) exist
    s.otlp = await startReceiver();

    // Alertmanager: everything to the webhook, fast; the real inhibition rules
    const amPort = await freePort();
    const amConfig = {
      route: { receiver: 'e2e', group_by: ['alertname'], group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [{ name: 'e2e', webhook_configs: [{ url: `http://127.0.0.1:${s.hook.address().port}/alerts`, send_resolved: false }] }],
      inhibit_rules: readYaml(ALERTMANAGER_YML).inhibit_rules,
    };
    writeFileSync(join(s.tmp, 'alertmanager.yml'), YAML.stringify(amConfig));
    s.am = `http://127.0.0.1:${amPort}`;
    spawnLogged('alertmanager', 'prometheus-alertmanager', [
      `--config.file=${join(s.tmp, 'alertmanager.yml')}`, `--storage.path=${join(s.tmp, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
    ]);

    // the demo service under otelkit
    const metricsPort = await freePort();
    s.app = await startApp(join(ROOT, 'examples/demo/server.js'), {
      env: {
        PORT: String(await freePort()),
        OTEL_SERVICE_NAME: JOB,
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        OTEL_EXPORTER_OTLP_ENDPOINT: s.otlp.url,
        OTEL_METRIC_EXPORT_INTERVAL: '60000',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        REDIS_URL: 'redis://127.0.0.1:6379',
        // a small APM cap, so the demo's operations overflow it and
        // otelkit_apm_overflowed_total is exported too
        OTELKIT_APM_MAX_OPERATIONS: '5',
      },
      readyPattern: /demo listening on http:\/\/localhost:(\d+)/,
    });

    // Prometheus: the real `otelkit` scrape job (file discovery, a job label per service),
    // every second; the real rule files, plus HighErrorRate with a shortened `for`.
    const real = readYaml(join(PROMETHEUS_DIR, 'prometheus.yml'));
    const otelkitJob = real.scrape_configs.find((j) => j.job_name === 'otelkit');
    const targets = join(s.tmp, 'targets.json');
    writeFileSync(targets, JSON.stringify([{ targets: [`127.0.0.1:${metricsPort}`], labels: { job: JOB } }]));
    const errorRate = alertRules().find((r) => r.alert === 'HighErrorRate');
    const shortened = join(s.tmp, 'e2e-shortened.yml');
    const { file, group, ...rule } = errorRate;
    writeFileSync(shortened, YAML.stringify({
      groups: [{ name: 'e2e-shortened-for', rules: [{ ...rule, for: SHORT_FOR, labels: { ...rule.labels, e2e: 'shortened-for' } }] }],
    }));
    const promPort = await freePort();
    const promConfig = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [...ruleFiles(), shortened],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: [{ ...otelkitJob, file_sd_configs: [{ files: [targets], refresh_interval: '5s' }] }],
    };
    writeFileSync(join(s.tmp, 'prometheus.yml'), YAML.stringify(promConfig));
    prom = `http://127.0.0.1:${promPort}`;
    spawnLogged('prometheus', 'prometheus', [
      `--config.file=${join(s.tmp, 'prometheus.yml')}`, `--storage.tsdb.path=${join(s.tmp, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn',
    ]);
    await waitFor('Alertmanager ready', async () => (await fetch(`${s.am}/-/ready`).catch(() => null))?.ok, 20000);
    await waitFor('Prometheus ready', async () => (await fetch(`${prom}/-/ready`).catch(() => null))?.ok, 20000);

    // traffic until the alert has been delivered (bounded)
    s.traffic = driveTraffic(s.app.url);
    await waitFor('HighErrorRate delivered to the webhook', () => delivered('HighErrorRate'), 60000);
    s.traffic.stop();
    await s.traffic.done;
  }, { timeout: 120000 });

  after(async () => {
    s.traffic?.stop();
    for (const p of s.procs) if (p.exitCode === null && p.signalCode === null) { p.kill('SIGTERM'); await once(p, 'exit'); }
    await s.app?.stop();
    await s.otlp?.close();
    s.hook?.close();
    if (s.tmp) rmSync(s.tmp, { recursive: true, force: true });
  });

  it('the demo is scraped under the job its target file names', async () => {
    const up = await query(`up{job="${JOB}"}`);
    assert.equal(up.length, 1);
    assert.equal(up[0].value[1], '1');
  });

  it('HighErrorRate: the real rule is pending (or firing), the shortened copy fires', async () => {
    const { data } = await (await fetch(`${prom}/api/v1/rules?type=alert`)).json();
    const rules = data.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    const realRule = rules.find((r) => r.name === 'HighErrorRate' && r.group !== 'e2e-shortened-for');
    const copy = rules.find((r) => r.name === 'HighErrorRate' && r.group === 'e2e-shortened-for');
    assert.ok(['pending', 'firing'].includes(realRule.state), realRule.state);
    assert.equal(copy.state, 'firing');
    assert.equal(copy.alerts[0].labels.job, JOB);
    assert.ok(Number(copy.alerts[0].value) > 0.05, copy.alerts[0].value);
  });

  it('Alertmanager delivers the firing HighErrorRate to the webhook, with its annotations', () => {
    const alert = delivered('HighErrorRate');
    assert.equal(alert.status, 'firing');
    assert.equal(alert.labels.severity, 'warning');
    assert.equal(alert.labels.component, 'http');
    assert.equal(alert.labels.job, JOB);
    assert.match(alert.annotations.summary, new RegExp(`^${JOB} answers \\d+(\\.\\d+)?% of requests with 5xx$`));
    assert.equal(alert.annotations.runbook_url, 'docs/MONITORING.md#higherrorrate');
  });

  it('every alert and recording expression evaluates without error', async () => {
    const rules = allRules();
    assert.ok(rules.length >= 27, `${rules.length} rules`);
    const failures = [];
    for (const r of rules) {
      const res = await evaluate(r.expr);
      if (res.status !== 'success') failures.push(`${r.alert ?? r.record}: ${res.error}`);
    }
    assert.deepEqual(failures, []);
    // the recorded 5xx ratio of the demo is real data, not just a valid expression
    const ratio = await query(`job_instance:http_server_errors_5xx:ratio_rate5m{job="${JOB}"}`);
    assert.ok(Number(ratio[0]?.value[1]) > 0.05, JSON.stringify(ratio));
  });

  it('every dashboard query and variable evaluates without error; the HTTP and database panels have data', async () => {
    const queries = dashboardQueries();
    const failures = [];
    const results = {};
    for (const q of queries) {
      const expr = substituteGrafana(q.expr, { job: JOB });
      assert.doesNotMatch(expr, /\$/, `${q.panel}: unsubstituted variable`);
      const res = await evaluate(expr);
      if (res.status !== 'success') failures.push(`${q.panel} ${q.refId}: ${res.error}`);
      else results[`${q.panel}/${q.refId}`] = res.data.result;
    }
    for (const v of variableSelectors()) {
      const res = await evaluate(substituteGrafana(v.selector, { job: JOB }));
      if (res.status !== 'success') failures.push(`variable ${v.name}: ${res.error}`);
      else assert.ok(res.data.result.some((x) => x.metric[v.label]), `variable ${v.name} finds values`);
    }
    assert.deepEqual(failures, []);
    const routes = (key) => results[key].map((x) => x.metric.http_route).sort();
    for (const route of ['/fail', '/orders', '/slow', '/users/:id']) assert.ok(routes('Requests / s by route/A').includes(route), route);
    const fail = results['5xx ratio by route/A'].find((x) => x.metric.http_route === '/fail');
    assert.equal(Number(fail.value[1]), 1);
    assert.ok(results['Query p95 by operation/A'].some((x) => x.metric.db_system_name === 'postgresql'));
    assert.ok(results['Event-loop delay/C'].length > 0);
    assert.ok(results['Spans exported / s (error_type = failed)/A'].length > 0);
  });

  it('every metric name used in rules and dashboards exists in Prometheus', async () => {
    const used = new Map();
    const add = (expr, where) => { for (const n of metricNames(expr)) used.set(n, [...(used.get(n) ?? []), where]); };
    for (const r of allRules()) add(r.expr, r.alert ?? r.record);
    for (const q of dashboardQueries()) add(q.expr, `panel "${q.panel}"`);
    for (const v of variableSelectors()) add(v.selector, `variable ${v.name}`);
    assert.ok(used.size >= 40, `${used.size} names`);
    for (const n of ['up', 'target_info', 'http_server_request_duration_seconds_bucket', 'db_client_operation_duration_seconds_bucket']) assert.ok(used.has(n), n);
    const { data: existing } = await (await fetch(`${prom}/api/v1/label/__name__/values`)).json();
    const missing = [...used.keys()].filter((n) => !existing.includes(n)).sort();
    assert.deepEqual(missing, [], `not exported:\n${missing.map((n) => `  ${n}  (${[...new Set(used.get(n))].join(', ')})`).join('\n')}`);
  });

  // ---------------------------------------------------------------- helpers

  function spawnLogged(name, cmd, args) {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    s.logs[name] = '';
    p.stdout.on('data', (d) => { s.logs[name] = (s.logs[name] + d).slice(-20000); });
    p.stderr.on('data', (d) => { s.logs[name] = (s.logs[name] + d).slice(-20000); });
    s.procs.push(p);
    return p;
  }

  function delivered(alertname) {
    for (const body of s.hooks) {
      for (const a of body.alerts ?? []) if (a.labels.alertname === alertname && a.status === 'firing') return a;
    }
    return undefined;
  }

  async function evaluate(expr) {
    const res = await fetch(`${prom}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }),
    });
    return res.json();
  }

  async function query(expr) {
    const res = await evaluate(expr);
    assert.equal(res.status, 'success', `${expr}: ${res.error}`);
    return res.data.result;
  }

  async function waitFor(what, check, timeoutMs) {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    const tail = Object.entries(s.logs).map(([k, v]) => `--- ${k}\n${v.slice(-2000)}`).join('\n');
    throw new Error(`${what}: not within ${timeoutMs} ms\n${tail}\n--- app\n${s.app?.stderr().slice(-2000)}`);
  }
});

/** Requests in a loop, a few per 200 ms: successes, 5xx, slow queries, N+1, Redis, 404. */
function driveTraffic(base) {
  let stopped = false;
  const paths = ['/users/1', '/fail', '/users/2', '/cache/e2e', '/fail', '/slow', '/orders', '/nope', '/upstream'];
  const done = (async () => {
    let i = 0;
    while (!stopped) {
      await get(`${base}${paths[i % paths.length]}`).catch(() => {});
      i++;
      if (i % paths.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return { stop: () => { stopped = true; }, done };
}
