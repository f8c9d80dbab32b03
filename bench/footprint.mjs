// Install footprint: what `npm install` brings into an app for otelkit (the packed tarball)
// and for the stock register (@opentelemetry/auto-instrumentations-node), each beside
// @opentelemetry/api, in empty directories. Prints packages and megabytes on disk.
//   node bench/footprint.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/proc.mjs';

const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
const work = mkdtempSync(join(tmpdir(), 'otelkit-footprint-'));

function footprint(name, packages) {
  const dir = join(work, name);
  execFileSync('mkdir', ['-p', dir]);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `footprint-${name}`, private: true }));
  npm(['install', ...packages], dir);
  const list = npm(['ls', '--all', '--parseable'], dir).split('\n').filter((l) => l.includes('node_modules'));
  const bytes = Number(execFileSync('du', ['-sb', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages: new Set(list).size, mb: bytes / 1e6 };
}

try {
  npm(['pack', '--pack-destination', work, ROOT], ROOT);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')));
  const rows = {
    otelkit: footprint('otelkit', [tarball, '@opentelemetry/api@~1.10']),
    'stock register': footprint('stock', ['@opentelemetry/auto-instrumentations-node', '@opentelemetry/api@~1.10']),
  };
  console.log('| install | packages | MB on disk |\n|---|---|---|');
  for (const [name, r] of Object.entries(rows)) console.log(`| ${name} | ${r.packages} | ${r.mb.toFixed(1)} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
