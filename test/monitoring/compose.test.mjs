// docker-compose.yml cannot run here (no Docker engine): checked structurally. Services,
// every bind-mounted host file, published ports, and that each address in one config
// (Prometheus, Alertmanager, Grafana, Collector) is a service and port of this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve, join } from 'node:path';
import {
  COMPOSE_YML, MONITORING, PROMETHEUS_DIR, ALERTMANAGER_YML, GRAFANA_DIR, COLLECTOR_DIR, readYaml,
} from './helpers/pack.mjs';

const compose = readYaml(COMPOSE_YML);
const services = compose.services;
const published = (name) => new Map((services[name].ports ?? []).map((p) => {
  const [host, container] = String(p).split(':');
  return [Number(container), Number(host)];
}));
const hostPort = (addr) => {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)/.exec(addr);
  return m && { host: m[1], port: Number(m[2]) };
};
const commandOf = (svc) => [...(services[svc].entrypoint ?? []), ...[].concat(services[svc].command ?? [])];
const flagPort = (svc) => Number(/^--web\.listen-address=:(\d+)$/.exec(commandOf(svc).find((a) => a.startsWith('--web.listen-address=')) ?? '')?.[1]);
/** Ports the Collector listens on, read from the gateway config it runs. */
function collectorPorts() {
  const g = readYaml(join(COLLECTOR_DIR, 'gateway.yaml'));
  const ports = [
    ...Object.values(g.receivers.otlp.protocols).map((p) => p.endpoint),
    g.exporters.prometheus.endpoint,
    g.extensions.health_check.endpoint,
  ].map((e) => Number(e.split(':').pop()));
  for (const r of g.service.telemetry.metrics.readers) ports.push(r.pull.exporter.prometheus.port);
  return ports;
}
/** Ports each service listens on inside the compose network. */
const listens = {
  prometheus: [flagPort('prometheus')],
  alertmanager: [flagPort('alertmanager')],
  dingtalk: [flagPort('dingtalk')],
  'otel-collector': collectorPorts(),
  // image defaults: Grafana 3000; Jaeger all-in-one OTLP 4317/4318 and UI 16686; Loki 3100
  grafana: [3000],
  jaeger: [4317, 4318, 16686],
  loki: [3100],
};

test('services: Prometheus, Alertmanager, Grafana, the Collector, Jaeger, the DingTalk bridge (and Loki)', () => {
  assert.deepEqual(Object.keys(services).sort(), ['alertmanager', 'dingtalk', 'grafana', 'jaeger', 'loki', 'otel-collector', 'prometheus']);
  for (const [name, s] of Object.entries(services)) {
    assert.match(s.image, /:[0-9v][\w.-]*$/, `${name}: pin the image version`);
    for (const dep of s.depends_on ?? []) assert.ok(services[dep], `${name} depends on ${dep}`);
  }
  assert.match(services.dingtalk.image, /^timonwong\/prometheus-webhook-dingtalk:/);
  assert.match(services['otel-collector'].image, /^otel\/opentelemetry-collector-contrib:/);
});

test('every bind-mounted host path exists; named volumes are declared', () => {
  let binds = 0;
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const [src, dst] = v.split(':');
      assert.ok(dst?.startsWith('/'), `${name}: ${v}`);
      if (src.startsWith('.') || src.startsWith('/')) {
        binds++;
        assert.ok(existsSync(resolve(MONITORING, src)), `${name}: ${src} does not exist`);
        assert.match(v, /:ro$/, `${name}: mount configuration read-only (${v})`);
      } else {
        assert.ok(src in (compose.volumes ?? {}), `${name}: volume ${src} not declared`);
      }
    }
  }
  assert.ok(binds >= 10, `${binds} bind mounts`);
});

test('mounted files land where each program is told to read them', () => {
  const mount = (svc, target) => {
    const v = services[svc].volumes.find((x) => x.split(':')[1] === target);
    assert.ok(v, `${svc}: nothing mounted at ${target}`);
    return resolve(MONITORING, v.split(':')[0]);
  };
  const cmd = commandOf;
  assert.ok(cmd('prometheus').includes('--config.file=/etc/prometheus/prometheus.yml'));
  assert.equal(mount('prometheus', '/etc/prometheus/prometheus.yml'), join(PROMETHEUS_DIR, 'prometheus.yml'));
  assert.equal(mount('prometheus', '/etc/prometheus/rules'), join(PROMETHEUS_DIR, 'rules'));
  assert.equal(mount('prometheus', '/etc/prometheus/targets'), join(PROMETHEUS_DIR, 'targets'));
  // Alertmanager and the bridge start through the render script, on the rendered file
  for (const [svc, src, rendered] of [['alertmanager', '/etc/alertmanager/alertmanager.yml', '/tmp/alertmanager.yml'], ['dingtalk', '/etc/prometheus-webhook-dingtalk/otelkit.yml', '/tmp/dingtalk.yml']]) {
    const c = cmd(svc);
    assert.deepEqual(c.slice(0, 4), ['/bin/sh', '/etc/otelkit/render-config.sh', src, rendered], svc);
    assert.ok(c.includes(`--config.file=${rendered}`), svc);
    assert.equal(mount(svc, '/etc/otelkit/render-config.sh'), join(MONITORING, 'render-config.sh'));
  }
  assert.equal(mount('alertmanager', '/etc/alertmanager/alertmanager.yml'), ALERTMANAGER_YML);
  assert.equal(mount('dingtalk', '/etc/prometheus-webhook-dingtalk/otelkit.yml'), join(MONITORING, 'dingtalk', 'config.yml'));
  // secrets directory where alertmanager.yml reads its *_file secrets
  assert.equal(mount('alertmanager', '/etc/alertmanager/secrets'), join(MONITORING, 'secrets'));
  assert.equal(mount('grafana', '/etc/grafana/provisioning'), join(GRAFANA_DIR, 'provisioning'));
  assert.equal(mount('grafana', '/etc/grafana/dashboards'), join(GRAFANA_DIR, 'dashboards'));
  assert.ok(cmd('otel-collector').includes('--config=/etc/otelcol/gateway.yaml'));
  assert.equal(mount('otel-collector', '/etc/otelcol/gateway.yaml'), join(COLLECTOR_DIR, 'gateway.yaml'));
});

test('every environment placeholder the rendered configs need is set by compose', () => {
  const placeholders = (file) => new Set([...readFileSync(file, 'utf8').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]));
  for (const [svc, file] of [['alertmanager', ALERTMANAGER_YML], ['dingtalk', join(MONITORING, 'dingtalk', 'config.yml')]]) {
    const env = services[svc].environment;
    for (const name of placeholders(file)) assert.ok(name in env, `${svc}: ${name} not in environment`);
  }
});

test('published ports match the configs: OTLP 4317/4318 (SDK defaults), UIs, bridge', () => {
  assert.equal(published('otel-collector').get(4317), 4317, 'OTLP gRPC on the SDK default port');
  assert.equal(published('otel-collector').get(4318), 4318, 'OTLP HTTP on the SDK default port');
  assert.equal(published('prometheus').get(9090), 9090);
  assert.equal(published('alertmanager').get(9093), 9093);
  assert.equal(published('grafana').get(3000), 3000);
  assert.equal(published('jaeger').get(16686), 16686);
  assert.equal(published('dingtalk').get(8060), 8060);
  assert.ok(!published('jaeger').has(4317), 'host 4317 belongs to the Collector');
  for (const [svc, port] of [['prometheus', 9090], ['alertmanager', 9093], ['dingtalk', 8060]]) assert.equal(flagPort(svc), port, svc);
  for (const port of [4317, 4318]) assert.ok(collectorPorts().includes(port), `the gateway receives OTLP on ${port}`);
});

test('addresses in the configs are services and ports of this compose file', () => {
  const addrs = [];
  const prom = readYaml(join(PROMETHEUS_DIR, 'prometheus.yml'));
  for (const am of prom.alerting.alertmanagers) for (const sc of am.static_configs) addrs.push(...sc.targets.map((t) => ['prometheus.yml alerting', t]));
  for (const job of prom.scrape_configs) for (const sc of job.static_configs ?? []) addrs.push(...sc.targets.map((t) => [`prometheus.yml ${job.job_name}`, t]));
  for (const r of readYaml(ALERTMANAGER_YML).receivers) for (const w of r.webhook_configs ?? []) addrs.push([`alertmanager ${r.name}`, w.url]);
  for (const ds of readYaml(join(GRAFANA_DIR, 'provisioning', 'datasources', 'otelkit.yml')).datasources) addrs.push([`grafana ${ds.name}`, ds.url]);
  const env = services['otel-collector'].environment;
  addrs.push(['collector JAEGER_OTLP_ENDPOINT', env.JAEGER_OTLP_ENDPOINT], ['collector LOKI_OTLP_ENDPOINT', env.LOKI_OTLP_ENDPOINT]);
  assert.ok(addrs.length >= 12);
  for (const [where, addr] of addrs) {
    const hp = hostPort(addr);
    assert.ok(hp, `${where}: ${addr}`);
    if (hp.host === 'localhost') continue; // Prometheus scraping itself
    assert.ok(services[hp.host], `${where}: ${hp.host} is not a service`);
    assert.ok(listens[hp.host].includes(hp.port), `${where}: ${hp.host} does not listen on ${hp.port}`);
  }
  assert.ok(services.prometheus.extra_hosts.includes('host.docker.internal:host-gateway'), 'scrape services on the host');
});
