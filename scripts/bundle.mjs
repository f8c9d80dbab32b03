// Compiles otelkit's own code (src/, after tsc has type-checked it) into dist/otelkit.js,
// the file `require('otelkit')` and both preloads load: one module instead of ~140 saves
// resolving, reading and wrapping each at start-up (docs/ARCHITECTURE.md has the figures).
// Dependencies are not bundled: they stay packages the application resolves and shares.
//   node scripts/bundle.mjs
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/bundle.ts'],
  outfile: 'dist/otelkit.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22.15',
  packages: 'external',
  sourcemap: true,
  sourcesContent: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [{
    // src/version.ts reads ../../package.json, relative to dist/src/version.js: here the
    // version of the package's own package.json is compiled in, and nothing else of it.
    name: 'own-version',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/\.\.\/package\.json$/ }, () => ({ path: 'package.json', namespace: 'own-version' }));
      b.onLoad({ filter: /.*/, namespace: 'own-version' }, async () => ({
        contents: JSON.stringify({ version: JSON.parse(await readFile(`${root}package.json`, 'utf8')).version }),
        loader: 'json',
      }));
    },
  }],
});
