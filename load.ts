/**
 * Loads the bundle (dist/otelkit.js) with V8's code cache (dist/otelkit.js.cache, written by
 * the build): compiling a megabyte of JavaScript at every start is the largest single
 * start-up cost left once everything is in one file. Node 22 offers this as
 * module.enableCompileCache(); on Node 20 it is done here with vm.Script's cachedData.
 * A missing, stale or rejected cache only means V8 compiles as usual.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export const BUNDLE = join(__dirname, 'otelkit.js');
export const CODE_CACHE = `${BUNDLE}.cache`;

interface Loaded {
  readonly exports: typeof import('./src/main');
  readonly script: Script;
}

let loaded: Loaded | undefined;

/** The bundle, loaded once per process (the preload and `require('otelkit')` share it). */
export function loadBundle(useCache = true): Loaded {
  loaded ??= compile(useCache);
  return loaded;
}

function compile(useCache: boolean): Loaded {
  // The bundle is already a function expression (scripts/bundle.mjs): read as latin1 it is an
  // external string that V8 compiles in place, with no copy of a megabyte on the JS heap.
  const source = readFileSync(BUNDLE, 'latin1');
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      cachedData = readFileSync(CODE_CACHE);
    } catch {
      // no cache: compile as usual
    }
  }
  const script = new Script(source, { filename: BUNDLE, cachedData });
  const mod = { exports: {} as typeof import('./src/main') };
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(mod.exports, mod.exports, createRequire(BUNDLE), mod, BUNDLE, dirname(BUNDLE));
  return { exports: mod.exports, script };
}
