// Paths and loaders for the monitoring pack (monitoring/, collector/, docs/MONITORING.md),
// and small wrappers around the real Prometheus / Alertmanager binaries.
import { readFileSync, readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const MONITORING = join(ROOT, 'monitoring');
export const PROMETHEUS_DIR = join(MONITORING, 'prometheus');
export const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
export const RULE_TESTS = join(PROMETHEUS_DIR, 'tests', 'otelkit-alerts.test.yml');
export const ALERTMANAGER_YML = join(MONITORING, 'alertmanager', 'alertmanager.yml');
export const DINGTALK_YML = join(MONITORING, 'dingtalk', 'config.yml');
export const RENDER_SCRIPT = join(MONITORING, 'render-config.sh');
export const COMPOSE_YML = join(MONITORING, 'docker-compose.yml');
export const GRAFANA_DIR = join(MONITORING, 'grafana');
export const DASHBOARD_JSON = join(GRAFANA_DIR, 'dashboards', 'otelkit-service.json');
export const COLLECTOR_DIR = join(ROOT, 'collector');
export const MONITORING_MD = join(ROOT, 'docs', 'MONITORING.md');

export const readYaml = (file) => YAML.parse(readFileSync(file, 'utf8'));
export const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The rule files Prometheus loads (prometheus.yml: rule_files: rules/*.yml). */
export function ruleFiles() {
  return readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).sort().map((f) => join(RULES_DIR, f));
}

/** Every rule of every rule file: [{ file, group, alert?, record?, expr, for?, labels, annotations }]. */
export function allRules() {
  const out = [];
  for (const file of ruleFiles()) {
    for (const group of readYaml(file).groups) {
      for (const rule of group.rules) out.push({ file, group: group.name, ...rule });
    }
  }
  return out;
}

export const alertRules = () => allRules().filter((r) => r.alert);
export const recordingRules = () => allRules().filter((r) => r.record);

/** Every PromQL query of the dashboard: [{ panel, refId, expr }]. */
export function dashboardQueries(dashboard = readJson(DASHBOARD_JSON)) {
  const out = [];
  const visit = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) out.push({ panel: p.title, refId: t.refId, expr: t.expr });
      visit(p.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

/** Template-variable queries: label_values(<selector>, <label>) → the selector. */
export function variableSelectors(dashboard = readJson(DASHBOARD_JSON)) {
  return dashboard.templating.list
    .filter((v) => v.type === 'query')
    .map((v) => {
      const query = typeof v.query === 'string' ? v.query : v.query.query;
      const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query);
      return { name: v.name, query, selector: m?.[1], label: m?.[2] };
    });
}

/** Runs a binary; resolves { code, stdout, stderr } whatever the exit code. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60000, ...options }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces → '-'. */
export function anchorOf(heading) {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Anchors of every heading in a Markdown file (code blocks skipped). */
export function markdownAnchors(text) {
  const anchors = new Set();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*)$/.exec(line);
    if (m) anchors.add(anchorOf(m[1]));
  }
  return anchors;
}
