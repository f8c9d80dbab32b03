// Instrumentations of installed packages, and of Node's own modules, are built when the app
// first loads their module: before that, their packages are not loaded at all; after it,
// the module is patched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { runApp, fixture } from '../helpers/app.mjs';

const { packageOf } = createRequire(import.meta.url)('../../dist/src/instrumentations/deferred.js');

test('packageOf names the package of a bare specifier and nothing else', () => {
  assert.equal(packageOf('pg'), 'pg');
  assert.equal(packageOf('pg/lib/client'), 'pg');
  assert.equal(packageOf('@redis/client'), '@redis/client');
  assert.equal(packageOf('@redis/client/dist/lib'), '@redis/client');
  for (const s of ['./pg', '../x', '/abs/pg', 'node:http', 'file:///x.mjs', '@scope']) assert.equal(packageOf(s), undefined, s);
});

for (const [file, preload] of [['deferred-probe.js', 'require'], ['deferred-probe.mjs', 'import']]) {
  test(`an instrumentation loads with its module, not before (--${preload})`, () => probe(file, preload));
}

async function probe(file, preload) {
  const { stdout, code } = await runApp(fixture(file), { preload, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0' } });
  assert.equal(code, 0, stdout);
  const report = JSON.parse(stdout.split('\n').find((l) => l.startsWith('{"before"')));
  assert.equal(report.before, false, 'the instrumentation is not loaded before the app loads its package');
  assert.equal(report.after, true, 'it is loaded once the app loads the package');
  assert.equal(report.patched, true, 'and the package is patched');
  assert.deepEqual(report.net, { before: false, after: true, patched: true }, "Node's net: loaded with it, and patched");
}
