// Collector configurations (agent and gateway), checked structurally: there is no
// Collector binary here. Every pipeline component is defined, every defined component is
// used, memory_limiter comes first and batch is present in every pipeline, the OTLP ports
// are the SDK's defaults, and the agent forwards to the gateway's receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { COLLECTOR_DIR, COMPOSE_YML, readYaml } from './helpers/pack.mjs';

const load = (name) => readYaml(join(COLLECTOR_DIR, `${name}.yaml`));
const port = (endpoint) => Number(String(endpoint).split(':').pop());
// Collector ${env:NAME:-default} → default
const envDefault = (value) => String(value).replace(/\$\{env:[A-Z_]+:-([^}]*)\}/g, '$1');

for (const name of ['agent', 'gateway']) {
  test(`${name}: every pipeline component is defined and every defined component is used`, () => {
    const c = load(name);
    const pipelines = Object.entries(c.service.pipelines);
    assert.deepEqual(pipelines.map(([p]) => p).sort(), ['logs', 'metrics', 'traces']);
    for (const kind of ['receivers', 'processors', 'exporters']) {
      const defined = Object.keys(c[kind] ?? {});
      const used = new Set(pipelines.flatMap(([, p]) => p[kind] ?? []));
      for (const u of used) assert.ok(defined.includes(u), `${name}: ${kind} ${u} used but not defined`);
      for (const d of defined) assert.ok(used.has(d), `${name}: ${kind} ${d} defined but not used`);
    }
    const ext = Object.keys(c.extensions ?? {});
    assert.deepEqual([...c.service.extensions].sort(), ext.sort(), `${name}: extensions defined = enabled`);
    for (const [p, def] of pipelines) {
      assert.ok(def.receivers.length > 0 && def.exporters.length > 0, `${name}/${p}`);
      assert.equal(def.processors[0], 'memory_limiter', `${name}/${p}: memory_limiter first`);
      assert.ok(def.processors.includes('batch'), `${name}/${p}: batch`);
      assert.ok(def.processors.indexOf('batch') > def.processors.indexOf('memory_limiter'));
    }
    const ml = c.processors.memory_limiter;
    assert.ok(ml.check_interval && (ml.limit_percentage || ml.limit_mib), `${name}: memory_limiter needs a limit`);
  });

  test(`${name}: OTLP in on the SDK default ports (gRPC 4317, HTTP 4318) on all interfaces`, () => {
    const { grpc, http } = load(name).receivers.otlp.protocols;
    assert.equal(grpc.endpoint, '0.0.0.0:4317');
    assert.equal(http.endpoint, '0.0.0.0:4318');
    for (const p of Object.values(load(name).service.pipelines)) assert.ok(p.receivers.includes('otlp'));
  });
}

test('agent: resource attributes added, everything forwarded to the gateway over OTLP/gRPC', () => {
  const agent = load('agent');
  const gateway = load('gateway');
  assert.ok(agent.processors.resource.attributes.length > 0);
  for (const p of Object.values(agent.service.pipelines)) {
    assert.ok(p.processors.includes('resource'));
    assert.deepEqual(p.exporters, ['otlp/gateway']);
  }
  const endpoint = envDefault(agent.exporters['otlp/gateway'].endpoint);
  const [host, p] = endpoint.split(':');
  assert.equal(Number(p), port(gateway.receivers.otlp.protocols.grpc.endpoint), 'the gateway gRPC port');
  assert.ok(readYaml(COMPOSE_YML).services[host], `${host}: the gateway's compose service`);
});

test('gateway: traces to Jaeger, metrics to Prometheus, logs to a log backend', () => {
  const g = load('gateway');
  const exp = g.service.pipelines;
  assert.deepEqual(exp.traces.exporters, ['otlp/jaeger']);
  assert.deepEqual(exp.metrics.exporters, ['prometheus']);
  assert.deepEqual(exp.logs.exporters, ['otlphttp/loki']);
  assert.equal(envDefault(g.exporters['otlp/jaeger'].endpoint), 'jaeger:4317');
  assert.equal(envDefault(g.exporters['otlphttp/loki'].endpoint), 'http://loki:3100/otlp');
  // names on :8889 must stay otelkit's names (unit suffixes on, no resource-label blow-up)
  assert.notEqual(g.exporters.prometheus.add_metric_suffixes, false);
  assert.equal(g.exporters.prometheus.resource_to_telemetry_conversion.enabled, false);
  assert.equal(port(g.exporters.prometheus.endpoint), 8889);
});
