// alertmanager.yml: valid for amtool and for a real Alertmanager, routes each severity
// where intended, inhibits as documented, keeps secrets out of the file; the render
// script fills the ${...} placeholders; the DingTalk bridge config matches the webhooks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsCommands } from '../helpers/needs.mjs';
import { mkdtempSync, readFileSync, writeFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import YAML from 'yaml';
import { ALERTMANAGER_YML, DINGTALK_YML, RENDER_SCRIPT, alertRules, readYaml, run } from './helpers/pack.mjs';
import { freePort } from '../helpers/app.mjs';

const AM_ENV = {
  SMTP_HOST: 'smtp.example.com', SMTP_PORT: '587', SMTP_USERNAME: 'alerts@example.com',
  ALERT_EMAIL_FROM: 'alerts@example.com', ALERT_EMAIL_TO: 'oncall@example.com',
  WECOM_CORP_ID: 'ww0123', WECOM_API_SECRET: 's3cr&t|with\\odd/chars$', WECOM_AGENT_ID: '1000002', WECOM_TO_PARTY: '2',
};

const tmp = mkdtempSync(join(tmpdir(), 'otelkit-am-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const render = (src, dst, env) => run('sh', [RENDER_SCRIPT, src, dst], { env: { PATH: process.env.PATH, ...env } });
const routesTest = async (file, labels) => {
  const r = await run('amtool', ['config', 'routes', 'test', `--config.file=${file}`, ...labels]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout.trim();
};

test('amtool check-config accepts alertmanager.yml as committed', { skip: needsCommands('amtool', 'prometheus-alertmanager') }, async () => {
  const r = await run('amtool', ['check-config', ALERTMANAGER_YML]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /SUCCESS/);
  assert.match(r.stdout, /2 inhibit rules/);
});

test('routing: critical, warning and info go to their receivers; unlabelled alerts to warning', async () => {
  assert.equal(await routesTest(ALERTMANAGER_YML, ['severity=critical', 'alertname=ServiceDown']), 'critical');
  assert.equal(await routesTest(ALERTMANAGER_YML, ['severity=warning', 'alertname=HighErrorRate']), 'warning');
  assert.equal(await routesTest(ALERTMANAGER_YML, ['severity=info', 'alertname=ServiceRestarted']), 'info');
  assert.equal(await routesTest(ALERTMANAGER_YML, ['alertname=SomethingElse']), 'warning');
  // and the real rules, each with its own labels
  for (const rule of alertRules()) {
    const labels = Object.entries({ alertname: rule.alert, ...rule.labels }).map(([k, v]) => `${k}=${v}`);
    assert.equal(await routesTest(ALERTMANAGER_YML, labels), rule.labels.severity, rule.alert);
  }
});

test('routing timings: critical fast and repeated, info batched', () => {
  const { route } = readYaml(ALERTMANAGER_YML);
  const by = (sev) => route.routes.find((r) => r.matchers.includes(`severity="${sev}"`));
  const seconds = (d) => Number(/^(\d+)([smh])$/.exec(d)[1]) * { s: 1, m: 60, h: 3600 }[/[smh]$/.exec(d)[0]];
  assert.ok(seconds(by('critical').group_wait) <= 10 && seconds(by('critical').repeat_interval) <= 3600);
  assert.ok(seconds(by('info').group_wait) >= 300 && seconds(by('info').group_interval) >= 3600);
  assert.deepEqual(by('info').group_by, ['job']);
});

test('switching on-call paging on (uncommenting #PAGING) pages PagerDuty and WeCom for critical only', { skip: needsCommands('amtool', 'prometheus-alertmanager') }, async () => {
  const text = readFileSync(ALERTMANAGER_YML, 'utf8');
  assert.ok(text.includes('#PAGING '));
  const paging = join(tmp, 'paging.yml');
  writeFileSync(paging, text.replaceAll('#PAGING ', ''));
  const r = await run('amtool', ['check-config', paging]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(await routesTest(paging, ['severity=critical', 'alertname=ServiceDown']), 'oncall-pagerduty,oncall-wecom,critical');
  assert.equal(await routesTest(paging, ['severity=warning']), 'warning');
  assert.equal(await routesTest(paging, ['severity=info']), 'info');
});

test('receivers: email, Slack, DingTalk (webhook), PagerDuty and WeCom; secrets never in the file', () => {
  const cfg = readYaml(ALERTMANAGER_YML);
  const kinds = new Set(cfg.receivers.flatMap((r) => Object.keys(r).filter((k) => k.endsWith('_configs'))));
  for (const k of ['email_configs', 'slack_configs', 'webhook_configs', 'pagerduty_configs', 'wechat_configs']) assert.ok(kinds.has(k), k);
  assert.equal(cfg.global.smtp_auth_password, undefined);
  assert.match(cfg.global.smtp_auth_password_file, /^\/etc\/alertmanager\/secrets\//);
  assert.equal(cfg.global.slack_api_url, undefined);
  assert.match(cfg.global.slack_api_url_file, /^\/etc\/alertmanager\/secrets\//);
  for (const r of cfg.receivers) {
    for (const s of r.slack_configs ?? []) assert.equal(s.api_url, undefined, r.name);
    for (const p of r.pagerduty_configs ?? []) {
      assert.equal(p.routing_key, undefined, r.name);
      assert.match(p.routing_key_file, /^\/etc\/alertmanager\/secrets\//);
    }
    for (const w of r.wechat_configs ?? []) assert.match(w.api_secret, /^\$\{[A-Z_]+\}$/, 'WeCom secret is a placeholder');
  }
});

test('render-config.sh fills every placeholder literally; the result is a valid config, mode 600', { skip: needsCommands('amtool', 'prometheus-alertmanager') }, async () => {
  const out = join(tmp, 'rendered.yml');
  const r = await render(ALERTMANAGER_YML, out, AM_ENV);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(out, 'utf8');
  assert.doesNotMatch(text, /\$\{[A-Za-z_]/);
  const cfg = YAML.parse(text);
  assert.equal(cfg.global.smtp_smarthost, 'smtp.example.com:587');
  assert.equal(cfg.receivers.find((x) => x.name === 'oncall-wecom').wechat_configs[0].api_secret, AM_ENV.WECOM_API_SECRET);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  const check = await run('amtool', ['check-config', out]);
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('render-config.sh stops with the names of unset variables and writes nothing', async () => {
  const out = join(tmp, 'missing.yml');
  const { WECOM_API_SECRET, SMTP_HOST, ...partial } = AM_ENV;
  const r = await render(ALERTMANAGER_YML, out, partial);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /SMTP_HOST WECOM_API_SECRET/);
  assert.throws(() => statSync(out), /ENOENT/);
});

test('render-config.sh execs the command after rendering', async () => {
  const out = join(tmp, 'exec.yml');
  const r = await run('sh', [RENDER_SCRIPT, DINGTALK_YML, out, 'cat', out], { env: { PATH: process.env.PATH, DINGTALK_WEBHOOK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=abc&x=1', DINGTALK_SECRET: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /url: 'https:\/\/oapi\.dingtalk\.com\/robot\/send\?access_token=abc&x=1'/);
  assert.match(r.stdout, /secret: ''/);
});

test('DingTalk bridge: every webhook receiver names a target its config defines; only known keys', () => {
  const targets = readYaml(DINGTALK_YML).targets;
  const cfg = readYaml(DINGTALK_YML);
  // prometheus-webhook-dingtalk parses its config strictly: unknown keys stop it.
  for (const k of Object.keys(cfg)) assert.ok(['timeout', 'template', 'templates', 'no_builtin_template', 'default_message', 'targets'].includes(k), k);
  for (const [name, t] of Object.entries(targets)) {
    assert.match(name, /^[a-zA-Z][a-zA-Z0-9\-_]*$/);
    for (const k of Object.keys(t)) assert.ok(['url', 'secret', 'mention', 'message'].includes(k), `${name}.${k}`);
    assert.match(t.url, /^\$\{DINGTALK_[A-Z_]+\}$/, 'the robot URL (with its token) is a placeholder');
  }
  const hooks = readYaml(ALERTMANAGER_YML).receivers.flatMap((r) => (r.webhook_configs ?? []).map((w) => w.url));
  assert.ok(hooks.length >= 2);
  for (const url of hooks) {
    const m = /^http:\/\/dingtalk:8060\/dingtalk\/([^/]+)\/send$/.exec(url);
    assert.ok(m, url);
    assert.ok(targets[m[1]], `target ${m[1]} missing in dingtalk/config.yml`);
  }
});

test('a real Alertmanager runs the rendered config and inhibits as documented', { skip: needsCommands('amtool', 'prometheus-alertmanager') }, async () => {
  const config = join(tmp, 'am-real.yml');
  assert.equal((await render(ALERTMANAGER_YML, config, AM_ENV)).code, 0);
  const port = await freePort();
  const am = spawn('prometheus-alertmanager', [
    `--config.file=${config}`, `--storage.path=${join(tmp, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  am.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => (await fetch(`${base}/-/ready`).catch(() => ({ ok: false }))).ok, 15000, () => log);
    const alert = (labels) => ({ labels, annotations: { summary: 'test' }, startsAt: new Date().toISOString() });
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'ServiceDown', severity: 'critical', component: 'service', job: 'api', instance: 'a:9464' }),
        alert({ alertname: 'HighErrorRate', severity: 'warning', component: 'http', job: 'api', instance: 'a:9464' }),
        alert({ alertname: 'HighErrorRate', severity: 'warning', component: 'http', job: 'api', instance: 'b:9464' }),
        alert({ alertname: 'RedisConnectionFailed', severity: 'critical', component: 'redis', job: 'api', instance: 'b:9464' }),
        alert({ alertname: 'RedisLatencyHigh', severity: 'warning', component: 'redis', job: 'api', instance: 'b:9464' }),
        alert({ alertname: 'DatabaseLatencyHigh', severity: 'warning', component: 'database', job: 'api', instance: 'b:9464' }),
      ]),
    });
    assert.equal(posted.status, 200, await posted.text());
    const key = (a) => `${a.labels.alertname}@${a.labels.instance}`;
    let states;
    await waitUntil(async () => {
      const alerts = await (await fetch(`${base}/api/v2/alerts`)).json();
      states = Object.fromEntries(alerts.map((a) => [key(a), a.status.state]));
      return Object.keys(states).length === 6 && Object.values(states).every((s) => s !== 'unprocessed');
    }, 10000, () => JSON.stringify(states));
    assert.deepEqual(states, {
      'ServiceDown@a:9464': 'active',
      'HighErrorRate@a:9464': 'suppressed', // the service is down
      'HighErrorRate@b:9464': 'active',
      'RedisConnectionFailed@b:9464': 'active',
      'RedisLatencyHigh@b:9464': 'suppressed', // Redis is down on that target
      'DatabaseLatencyHigh@b:9464': 'active', // another component
    });
  } finally {
    am.kill('SIGTERM');
    await once(am, 'exit');
  }
});

async function waitUntil(check, timeoutMs, describe) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`condition not met in ${timeoutMs} ms: ${describe()}`);
}
