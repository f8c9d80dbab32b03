// Prints README's configuration table from src/config.ts's ENV_TABLE (run after a build).
import { createRequire } from 'node:module';
const { ENV_TABLE } = createRequire(import.meta.url)('../dist/src/config.js');
console.log('| variable | default | meaning |');
console.log('|---|---|---|');
for (const s of ENV_TABLE) console.log(`| \`${s.key}\` | ${s.default === '' ? '—' : `\`${s.default}\``} | ${s.description.replace(/\|/g, '\\|')} |`);
