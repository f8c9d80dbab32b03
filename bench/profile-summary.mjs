// Summarises a V8 .cpuprofile: self time by package (node_modules/<pkg>) and by function.
//   node bench/profile-summary.mjs file.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const pkgOf = (url) => {
  if (!url) return '(native/vm)';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  return url.includes('/dist/') ? 'otelkit' : url.replace(/^file:\/\//, '');
};
const byPkg = new Map();
const byFn = new Map();
let total = 0;
for (const [id, us] of selfUs) {
  const { callFrame } = byId.get(id);
  total += us;
  const pkg = pkgOf(callFrame.url);
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  const fn = `${callFrame.functionName || '(anonymous)'} ${pkg}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + us);
}
const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
};
console.log(`total sampled: ${(total / 1000).toFixed(1)} ms`);
show('self time by package', byPkg);
show('self time by function', byFn);

// Inclusive time of bundled module initialisers (esbuild names them after their path).
const children = new Map(profile.nodes.map((n) => [n.id, n.children ?? []]));
const inclusive = (id) => (selfUs.get(id) ?? 0) + children.get(id).reduce((s, c) => s + inclusive(c), 0);
const inits = new Map();
for (const n of profile.nodes) {
  const name = n.callFrame.functionName;
  if (!/^(node_modules\/|dist\/)/.test(name)) continue;
  inits.set(name, (inits.get(name) ?? 0) + inclusive(n.id));
}
if (inits.size) show('module initialisers, inclusive (nested ones counted in their parents too)', inits);
