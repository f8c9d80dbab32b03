// Effect of otelkit on an Express + pg app's throughput: GET /users/:id (one PostgreSQL
// query per request) under autocannon, for the bare app, the app under this build's
// preload, and optionally under another build's preload (BASELINE_REGISTER=path/to/
// dist/register.js, e.g. a build of main without the APM and DB processors).
//
//   npm run build && node bench/apm-throughput.mjs
//   ROUNDS=3 DURATION=5 CONNECTIONS=10 BASELINE_REGISTER=/tmp/otelkit-main/dist/register.js node bench/apm-throughput.mjs
//
// Rounds alternate between configurations; the medians are printed. The machine is
// shared with other work: compare medians, and only within one run.
import autocannon from 'autocannon';
import { startApp, fixture, freePort, REGISTER_CJS } from '../test/helpers/app.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);

const configs = [
  { name: 'bare', preload: null },
  ...(process.env.BASELINE_REGISTER ? [{ name: 'baseline preload', register: process.env.BASELINE_REGISTER }] : []),
  { name: 'otelkit (this build)', register: REGISTER_CJS },
];

async function runOnce(config) {
  const env = { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()), OTEL_SERVICE_NAME: 'bench' };
  const app = config.register
    ? await startAppWith(config.register, env)
    : await startApp(fixture('apm-app.js'), { preload: null, env });
  try {
    await autocannon({ url: `${app.url}/users/1`, connections: CONNECTIONS, duration: 1 }); // warm-up
    const result = await autocannon({ url: `${app.url}/users/1`, connections: CONNECTIONS, duration: DURATION });
    return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
  } finally {
    await app.stop();
  }
}

function startAppWith(register, env) {
  if (register === REGISTER_CJS) return startApp(fixture('apm-app.js'), { env });
  // Another build: the same fixture under that build's preload.
  return startApp(fixture('apm-app.js'), { preload: null, env: { ...env, NODE_OPTIONS: `--require ${register}` } });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(configs.map((c) => [c.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const config of configs) results.get(config.name).push(await runOnce(config));
}
const bare = median(results.get('bare').map((x) => x.rps));
console.log(`GET /users/:id (express 5 + pg), ${CONNECTIONS} connections, ${DURATION} s × ${ROUNDS} rounds, node ${process.version}; medians:`);
console.table(configs.map((c) => {
  const rs = results.get(c.name);
  const rps = median(rs.map((x) => x.rps));
  return { config: c.name, 'req/s': Math.round(rps), 'vs bare': (rps / bare).toFixed(2), 'p99 ms': median(rs.map((x) => x.p99)), errors: rs.reduce((a, x) => a + x.errors, 0), runs: rs.map((x) => Math.round(x.rps)).join(' ') };
}));
