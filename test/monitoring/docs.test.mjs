// docs/MONITORING.md: internal links resolve, and every otelkit/OpenTelemetry variable it
// tells operators to set is one otelkit reads (src/config.ts), or is named below as read
// by another component.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MONITORING_MD, ROOT, markdownAnchors } from './helpers/pack.mjs';

const text = readFileSync(MONITORING_MD, 'utf8');

test('every #anchor link in MONITORING.md points at a heading', () => {
  const anchors = markdownAnchors(text);
  const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
  assert.ok(links.length >= 20, `${links.length} links`);
  assert.deepEqual(links.filter((l) => !anchors.has(l)), []);
});

test('every OTEL_/OTELKIT_/LOG_ variable in MONITORING.md exists', () => {
  const { ENV_TABLE } = createRequire(import.meta.url)(`${ROOT}dist/src/config.js`);
  const known = new Set(ENV_TABLE.map((e) => e.key));
  // read by other programs than otelkit itself
  const elsewhere = new Set([
    'OTEL_EXPORTER_OTLP_HEADERS', // the OpenTelemetry OTLP exporters
    'OTEL_GATEWAY_ENDPOINT', // collector/agent.yaml
  ]);
  const used = new Set([...text.matchAll(/\b((?:OTEL|OTELKIT|LOG)_[A-Z_]+[A-Z])\b/g)].map((m) => m[1]));
  assert.ok(used.size >= 20, [...used].join());
  assert.deepEqual([...used].filter((v) => !known.has(v) && !elsewhere.has(v)), []);
});
