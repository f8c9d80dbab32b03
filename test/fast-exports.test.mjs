// scripts/fast-exports.cjs: the bundle's copy of re-exporting modules' exports objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HELPER = fileURLToPath(new URL('../scripts/fast-exports.cjs', import.meta.url));
const fastExports = require(HELPER);

/** An exports object as tsc emits it for a module that re-exports from `source`. */
function tscReexports(source) {
  const exports = {};
  Object.defineProperty(exports, '__esModule', { value: true });
  exports.version = exports.trace = exports.context = void 0;
  for (const name of ['trace', 'context']) {
    Object.defineProperty(exports, name, { enumerable: true, get: () => source[name] });
  }
  exports.version = '1.0.0';
  return exports;
}

test('the copy reads through its getters, so re-exports stay live bindings', () => {
  const source = { trace: 'first', context: 'ctx' };
  const original = tscReexports(source);
  const copy = fastExports(original);
  assert.equal(copy.trace, 'first');
  source.trace = 'second';
  assert.equal(copy.trace, 'second');
  assert.deepEqual(Object.keys(copy), Object.keys(original));
  assert.deepEqual(Object.keys(copy).sort(), ['context', 'trace', 'version']);
  assert.equal(copy.__esModule, true);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
});

test('a value the module reassigns is seen through the copy, and writes reach the module', () => {
  const original = tscReexports({});
  const copy = fastExports(original);
  original.version = '2.0.0';
  assert.equal(copy.version, '2.0.0');
  copy.version = '3.0.0';
  assert.equal(original.version, '3.0.0');
});

test('module.exports that is not a plain object is handed back as it is', () => {
  class Exported {}
  const fn = () => 1;
  for (const value of [Exported, fn, null, 'text', Object.create(null)]) assert.equal(fastExports(value), value);
});

test('the copy has fast properties where the tsc-shaped original has not', () => {
  // V8's own view, through its natives syntax (a child process, so the flag stays there).
  const script = `
    const fastExports = require(${JSON.stringify(HELPER)});
    const make = (getter) => {
      const e = {};
      Object.defineProperty(e, '__esModule', { value: true });
      e.a = e.b = void 0;
      Object.defineProperty(e, 'a', { enumerable: true, get: getter });
      Object.defineProperty(e, 'b', { enumerable: true, get: getter });
      return e;
    };
    const original = make(() => 1);
    // Two copies with the same names and different getters (two barrels re-exporting the same names).
    const copies = [fastExports(original), fastExports(make(() => 2))];
    console.log(JSON.stringify([%HasFastProperties(original), ...copies.map((c) => %HasFastProperties(c))]));
  `;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), [false, true, true]);
});
