// Writes dist/otelkit.js.cache: the bundle compiled, started once and one request served
// (so the functions start-up and the first request run are compiled too), then V8's code
// cache of it saved. Run by scripts/bundle.mjs.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { createServer, get } from 'node:http';

const require = createRequire(import.meta.url);
const { loadBundle, CODE_CACHE } = require('../dist/load.js');
const { exports: otelkit, script } = loadBundle(false);
const instance = otelkit.start({ handleSignals: false });
const server = createServer((req, res) => res.end('warm'));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
await new Promise((resolve, reject) => {
  get(`http://127.0.0.1:${server.address().port}/`, (res) => res.resume().on('end', resolve)).on('error', reject);
});
server.close();
writeFileSync(CODE_CACHE, script.createCachedData());
await instance?.shutdown();
process.exit(0);
