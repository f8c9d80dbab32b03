// The public API imports by name from an ES module as well as from CommonJS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from 'otelkit';

test("import { … } from 'otelkit' gives the same named exports as require('otelkit')", () => {
  const cjs = createRequire(import.meta.url)('otelkit');
  const names = Object.keys(cjs).filter((k) => k !== '__esModule').sort();
  assert.ok(names.includes('trace') && names.includes('getRequestId') && names.includes('start'), names.join(','));
  for (const name of names) assert.equal(esm[name], cjs[name], name);
});
