// Bundles the compiled entry (dist/src/main.js) and its dependencies into dist/otelkit.js.
//
// Why: start-up. Loading the SDK from node_modules means hundreds of files, each resolved
// (stat calls), read and compiled separately; one file cuts otelkit's start-up cost by
// about a third on this project's test machine (see bench/RESULTS.md). Module code still
// runs lazily, on first require, exactly as before.
//
// What stays outside the bundle, loaded from node_modules at run time:
// - import-in-the-middle: its loader hook and its runtime must be the same module instance;
// - the OTLP/gRPC exporters and @grpc/grpc-js: loaded only when configured. The HTTP OTLP
//   exporters are bundled: their module code still runs only when an endpoint is set, and
//   loaded from node_modules they would bring their own copies of @opentelemetry/core,
//   sdk-metrics, sdk-logs and resources (~100 ms and ~15 MB more at start);
// - anything the application itself provides (pg, ioredis, …) is required from the app's
//   directory at run time and never bundled.
// sdk-node's own eager imports of exporters it never builds for otelkit become placeholders
// that load the real module on first property access (src/sdk-node.ts).
import * as esbuild from 'esbuild';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { DEFERRED_BY_BUILD } = require('../dist/src/sdk-node.js');

const LAZY_EXTERNAL = [
  // Loaded when first needed: LOG_FILE; the memory reading on systems without /proc.
  /^winston-daily-rotate-file$/,
  /^systeminformation(\/|$)/,
  // The gRPC exporters and their stack (loaded from node_modules, only with OTLP over gRPC).
  /^@opentelemetry\/exporter-(trace|metrics|logs)-otlp-grpc$/,
  /^@opentelemetry\/otlp-grpc-exporter-base/,
  /^@grpc\//,
];

const deferred = new Set(DEFERRED_BY_BUILD);
const FAST_EXPORTS = fileURLToPath(new URL('./fast-exports.cjs', import.meta.url));
// tsc's re-exports: `export * from` (__exportStar) and `export { x } from` (a getter each).
const REEXPORTS = /__exportStar\(|Object\.defineProperty\(exports, "[^"]+", \{ enumerable: true, get: function/;
const SEMCONV = '@opentelemetry/semantic-conventions';

/**
 * @opentelemetry/semantic-conventions exports thousands of constants; evaluating its index
 * costs ~25 ms at every start, for the hundred or so names the bundle uses. The bundle gets
 * those names as literals, with any other name read from the real package on first use.
 */
function slimSemconv(usedIn) {
  const real = require(SEMCONV);
  const used = Object.keys(real).filter((name) => /^[A-Z][A-Z0-9_]+$/.test(name) && usedIn.includes(name));
  const literals = Object.fromEntries(used.map((name) => [name, real[name]]));
  // The names used are own properties (plain, fast reads on the request path); anything
  // else falls through to the prototype, which loads the real package.
  return [
    `let full;`,
    `const rest = new Proxy({}, { get: (_t, key) => (full ??= require(${JSON.stringify(SEMCONV)}))[key] });`,
    `module.exports = Object.assign(Object.create(rest), ${JSON.stringify(literals)});`,
  ].join('\n');
}

const otelkitPlugin = (semconvSource) => ({
  name: 'otelkit',
  setup(build) {
    if (semconvSource !== undefined) {
      build.onResolve({ filter: /^@opentelemetry\/semantic-conventions$/ }, (args) =>
        args.namespace === 'semconv' ? { path: args.path, external: true } : { path: args.path, namespace: 'semconv' });
      build.onLoad({ filter: /.*/, namespace: 'semconv' }, () => ({ loader: 'js', contents: semconvSource }));
    }
    // require-in-the-middle and winston log their internals through `debug` and
    // `@dabh/diagnostics`, whose terminal and colour detection costs ~20 ms at start; those
    // messages are for their own developers, so both get a silent logger.
    build.onResolve({ filter: /^(debug|@dabh\/diagnostics)$/ }, (args) =>
      /require-in-the-middle|winston/.test(args.importer) ? { path: args.path, namespace: 'silent-debug' } : undefined);
    build.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      loader: 'js',
      contents: 'const debug = () => Object.assign(() => {}, { enabled: false, extend: debug });\nmodule.exports = debug;',
    }));
    build.onResolve({ filter: /^[@a-z]/ }, (args) => {
      // The real module behind a placeholder is loaded from node_modules when first used.
      if (args.namespace === 'deferred' || args.namespace === 'iitm') return { path: args.path, external: true };
      if (args.path === 'import-in-the-middle') return { path: args.path, namespace: 'iitm' };
      // sdk-node's eager imports: a placeholder that requires the real module when used.
      if (deferred.has(args.path) && /@opentelemetry[\\/]sdk-node[\\/]/.test(args.importer)) {
        return { path: args.path, namespace: 'deferred' };
      }
      if (LAZY_EXTERNAL.some((re) => re.test(args.path))) return { path: args.path, external: true };
      return undefined;
    });
    // import-in-the-middle's hooks only work with its loader, which `--import otelkit/register`
    // registers (register.mts sets the flag). Under `--require` the instrumentations' ESM
    // hooks could never fire, so they get an inert Hook instead of loading the real module.
    build.onLoad({ filter: /.*/, namespace: 'iitm' }, () => ({
      loader: 'js',
      contents: [
        `if (globalThis[Symbol.for('otelkit.esm-loader')] === true) {`,
        `  module.exports = require('import-in-the-middle');`,
        `} else {`,
        `  class Hook { constructor() {} unhook() {} }`,
        `  module.exports = { Hook, default: Hook };`,
        `}`,
      ].join('\n'),
    }));
    // Modules that re-export through getters hand over a copy of their exports object with
    // fast properties (fast-exports.cjs says why), inserted before any source map comment.
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!REEXPORTS.test(source)) return undefined;
      const footer = `module.exports = require(${JSON.stringify(FAST_EXPORTS)})(module.exports);\n`;
      const map = source.lastIndexOf('\n//# sourceMappingURL=');
      const contents = map === -1 ? `${source}\n${footer}` : `${source.slice(0, map + 1)}${footer}${source.slice(map + 1)}`;
      return { contents, loader: 'js' };
    });
    build.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      loader: 'js',
      contents: [
        `let real;`,
        `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
        `module.exports = new Proxy({}, {`,
        `  get: (_t, key) => load()[key],`,
        `  has: (_t, key) => key in load(),`,
        `  ownKeys: () => Reflect.ownKeys(load()),`,
        `  getOwnPropertyDescriptor: (_t, key) => {`,
        `    const d = Reflect.getOwnPropertyDescriptor(load(), key);`,
        `    return d && { ...d, configurable: true };`,
        `  },`,
        `});`,
      ].join('\n'),
    }));
  },
});

const options = {
  entryPoints: ['dist/src/main.js'],
  outfile: 'dist/otelkit.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  // Smaller is faster to read and compile at every start: whitespace and comments go;
  // identifiers are not renamed (stack traces keep their names). No keepNames: it wraps
  // every function expression in a name-setting call, closures on the request path too.
  // Licence comments go to dist/otelkit.js.LEGAL.txt; the output stays ASCII.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'linked',
  charset: 'ascii',
  // The file is one function expression that load.ts compiles and calls with the CommonJS
  // arguments itself. Read as latin1, a source of this size (over Node's 1,031,913-byte
  // EXTERN_APEX) becomes an external string, outside V8's heap; Module.wrap's concatenation
  // would copy it into a 1.1 MB heap string, which V8's old-generation sizing multiplies
  // (the next major GC waits until the heap is about four times what survived the last).
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '})' },
  plugins: [otelkitPlugin(undefined)],
  // The packages' CommonJS builds, as Node itself would load them: their ES-module builds,
  // wrapped back into CommonJS, would put a getter in front of every property read.
  conditions: ['node', 'require'],
  mainFields: ['main'],
  // The bundle runs in a vm.Script (load.ts, for the code cache), where `import()` has no
  // loader on Node 20 (the OTLP HTTP transport imports node:http that way): esbuild turns
  // every `import()` into a require.
  supported: { 'dynamic-import': false },
  // Optional dependencies some packages probe for with try/require.
  external: ['osx-temperature-sensor', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
  metafile: true,
};

// Pass one finds the semantic-convention names the bundle uses; pass two writes it.
const probe = await esbuild.build({ ...options, write: false, sourcemap: false, external: [...options.external, SEMCONV] });
const usedIn = probe.outputFiles.map((f) => f.text).join('\n');
const result = await esbuild.build({ ...options, plugins: [otelkitPlugin(slimSemconv(usedIn))] });

const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;

// dist/main.js, the package entry: loads the bundle through dist/load.js (code cache) and
// lists the export names where Node's ES-module loader looks for them (cjs-module-lexer).
const names = Object.keys(require('../dist/load.js').loadBundle(false).exports).filter((n) => n !== '__esModule' && n !== 'startFromPreload');
writeFileSync('dist/main.js', [
  "'use strict';",
  '// Generated by scripts/bundle.mjs.',
  "const { startFromPreload, ...api } = require('./load.js').loadBundle().exports;",
  'module.exports = api;',
  `0 && (module.exports = { ${names.join(', ')} });`,
  '',
].join('\n'));

// The V8 code cache of the bundle, taken in a child process right after a start.
const child = spawnSync(process.execPath, ['scripts/code-cache.mjs'], {
  stdio: 'inherit',
  env: { PATH: process.env.PATH, OTEL_EXPORTER_PROMETHEUS_PORT: '0', LOG_LEVEL: 'error' },
});
if (child.status !== 0) console.warn('code cache not written: otelkit will compile at start');
console.log(`dist/otelkit.js: ${(bytes / 1024).toFixed(0)} KiB; exports: ${names.join(', ')}`);
