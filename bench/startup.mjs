// Start-up time to the first answered request: bare vs otelkit, alternated, N runs each.
//   node bench/startup.mjs [runs]        (prints medians and minimums)
import { startServer, stopServer, ROOT } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const runs = Number(process.argv[2] ?? 11);
const otelkit = ['--require', `${ROOT}dist/register.js`];
const configs = {
  bare: [[], {}],
  otelkit: [otelkit, {}],
  // Nothing is exported before the first answer; the endpoint only makes the exporters load.
  'otelkit-otlp': [otelkit, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }],
};
const times = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, [nodeArgs, env]] of Object.entries(configs)) {
    const server = await startServer({ app: `${ROOT}bench/apps/hello.js`, nodeArgs, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env }, cpu: 0 });
    times[name].push(server.startupMs);
    await stopServer(server.child);
  }
}
for (const [name, t] of Object.entries(times)) {
  console.log(`${name.padEnd(8)} median ${median(t).toFixed(0)} ms, min ${Math.min(...t).toFixed(0)} ms`);
}
console.log(`added: median ${(median(times.otelkit) - median(times.bare)).toFixed(0)} ms, min ${(Math.min(...times.otelkit) - Math.min(...times.bare)).toFixed(0)} ms`);
