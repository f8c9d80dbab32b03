// An ES-module app of many modules, written into a temporary folder: `barrels` index files
// that each re-export `perBarrel` modules (`export * from './m3.mjs'`, the barrel shape of
// many TypeScript projects), and a hello server that imports one name from every barrel.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function writeModulesApp({ barrels = 10, perBarrel = 30 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-modules-'));
  const imports = [];
  for (let b = 0; b < barrels; b++) {
    mkdirSync(join(dir, `part${b}`));
    const lines = [];
    for (let m = 0; m < perBarrel; m++) {
      writeFileSync(join(dir, `part${b}`, `m${m}.mjs`), `export const value${b}_${m} = ${m};\nexport function fn${b}_${m}(x) { return x + value${b}_${m}; }\n`);
      lines.push(`export * from './m${m}.mjs';`);
    }
    writeFileSync(join(dir, `part${b}`, 'index.mjs'), `${lines.join('\n')}\n`);
    imports.push(`import { fn${b}_0 } from './part${b}/index.mjs';`);
  }
  const sum = Array.from({ length: barrels }, (_, b) => `fn${b}_0(1)`).join(' + ');
  writeFileSync(join(dir, 'app.mjs'), `${imports.join('\n')}
import http from 'node:http';
const server = http.createServer((req, res) => res.end(String(${sum})));
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(\`LISTENING \${server.address().port}\`));
`);
  return { dir, app: join(dir, 'app.mjs'), modules: barrels * (perBarrel + 1) + 1 };
}
