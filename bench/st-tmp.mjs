import { startServer, stopServer, ROOT } from './lib/proc.mjs';
import { median } from './lib/report.mjs';
const runs = Number(process.argv[2] ?? 7);
const configs = {
  bare: [[], {}],
  otelkit: [['--require', `${ROOT}dist/register.js`], {}],
};
const times = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [name, [nodeArgs, env]] of Object.entries(configs)) {
  const s = await startServer({ app: `${ROOT}bench/apps/hello.js`, nodeArgs, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env }, cpu: 1 });
  times[name].push(s.startupMs); await stopServer(s.child);
}
for (const [n, t] of Object.entries(times)) console.log(n.padEnd(10), median(t).toFixed(0), Math.min(...t).toFixed(0));
