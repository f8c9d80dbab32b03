// otelkit's catalogue table (src/instrumentations/catalogue.ts) against the installed
// @opentelemetry/auto-instrumentations-node: every instrumentation it ships is in the table
// under the same name and class, and the modules the table names are the ones each
// instrumentation patches (the lazy-loading rule depends on them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';

const require = createRequire(import.meta.url);
const { CATALOGUE } = require('../../dist/src/instrumentations/catalogue.js');
const auto = require.resolve('@opentelemetry/auto-instrumentations-node');
const fromAuto = createRequire(auto);

/** The catalogue's own list: its InstrumentationMap, read from the package's code. */
function installedCatalogue() {
  const source = readFileSync(auto.replace(/index\.cjs$/, 'utils.cjs'), 'utf8');
  const map = /const InstrumentationMap = \{([\s\S]*?)\n\};/.exec(source)?.[1];
  assert.ok(map, 'InstrumentationMap found in auto-instrumentations-node');
  return [...map.matchAll(/"@opentelemetry\/instrumentation-([^"]+)": [\w$]+\.(\w+)/g)].map((m) => ({ name: m[1], className: m[2] }));
}

test('every instrumentation of auto-instrumentations-node is in the table, by name and class', () => {
  const installed = installedCatalogue();
  assert.ok(installed.length >= 40, `${installed.length} instrumentations found`);
  assert.deepEqual(
    CATALOGUE.map((e) => `${e.name} ${e.className}`).sort(),
    installed.map((e) => `${e.name} ${e.className}`).sort(),
  );
});

test('the modules of each entry are the modules its instrumentation patches', () => {
  for (const entry of CATALOGUE) {
    const Class = fromAuto(`@opentelemetry/instrumentation-${entry.name}`)[entry.className];
    const instrumentation = new Class({ enabled: false });
    const patched = [...new Set((instrumentation.getModuleDefinitions?.() ?? []).map((d) => d.name))];
    // Packages and Node's own modules are listed apart: only packages may be missing.
    assert.deepEqual([...entry.modules].sort(), patched.filter((m) => !isBuiltin(m)).sort(), entry.name);
    assert.deepEqual([...(entry.builtins ?? [])].sort(), patched.filter((m) => isBuiltin(m)).sort(), `${entry.name}: Node's modules`);
  }
});
