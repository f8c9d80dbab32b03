// prometheus.yml: valid for promtool, loads the rule files, and points at the
// Alertmanager and Collector of docker-compose.yml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsCommands } from '../helpers/needs.mjs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROMETHEUS_DIR, ruleFiles, readYaml, readJson, run } from './helpers/pack.mjs';

const config = () => readYaml(join(PROMETHEUS_DIR, 'prometheus.yml'));

test('promtool check config accepts prometheus.yml and finds both rule files', { skip: needsCommands('promtool') }, async () => {
  const r = await run('promtool', ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`SUCCESS: ${ruleFiles().length} rule files found`));
  for (const f of ruleFiles()) assert.ok(r.stdout.includes(`rules/${f.split('/').pop()}`), f);
});

test('scrape jobs: otelkit services by file discovery, the Collector, the stack itself', () => {
  const jobs = Object.fromEntries(config().scrape_configs.map((j) => [j.job_name, j]));
  assert.deepEqual(Object.keys(jobs).sort(), ['alertmanager', 'otel-collector', 'otelkit', 'otelkit-otlp', 'prometheus']);
  assert.equal(jobs.otelkit.metrics_path, '/metrics');
  assert.deepEqual(jobs.otelkit.file_sd_configs[0].files, ['targets/*.json']);
  assert.equal(jobs['otelkit-otlp'].honor_labels, true, 'job/instance come from the Collector (service.name)');
  // the example targets: valid file_sd JSON, otelkit's default Prometheus port, a job per service
  const files = readdirSync(join(PROMETHEUS_DIR, 'targets')).filter((f) => f.endsWith('.json'));
  assert.ok(files.length >= 1);
  for (const f of files) {
    for (const group of readJson(join(PROMETHEUS_DIR, 'targets', f))) {
      assert.ok(group.targets.every((t) => /:9464$/.test(t)), JSON.stringify(group));
      assert.ok(group.labels.job, 'each service gets its own job label');
    }
  }
});
