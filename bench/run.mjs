// otelkit overhead benchmark: bare vs otelkit (embedded default) vs otelkit exporting every
// span over OTLP vs the stock OpenTelemetry register exporting to the same receiver.
//
//   npm run bench               full run (5 rounds × 10 s per configuration and app); prints
//                               its tables (bench/RESULTS.md is kept by hand from them)
//   npm run bench -- --quick    one short round (under two minutes)
//   options: --rounds N --seconds S --connections C --apps hello,express-pg
//            --out FILE      also write the tables to FILE
//            --configs floor,otelkit,otelkit-otlp,stock-otlp (which to pair with bare runs)
//            --against DIR   also run the otelkit built in DIR (another checkout, after
//                            npm run build) as `previous` and `previous-otlp`: an A/B of two
//                            revisions on the same machine in the same rounds
//
// Each configuration runs right after a bare run of the same app in the same round
// (bare, X, bare, Y …); ratios are X / that bare run. Server on core 0, wrk and the OTLP
// receiver on core 1 when the machine has two cores.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ROOT, startServer, startReceiver, stopServer, peakRssMb, cpuMs, machineLine, hasCommand } from './lib/proc.mjs';
import { load } from './lib/load.mjs';
import { median, report } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    apps: { type: 'string', default: 'hello,express-pg' },
    startups: { type: 'string' },
    out: { type: 'string' },
    configs: { type: 'string' },
    against: { type: 'string' },
  },
});
const rounds = Number(opts.rounds ?? (opts.quick ? 1 : 5));
const seconds = Number(opts.seconds ?? (opts.quick ? 3 : 10));
const warmup = Number(opts.warmup ?? (opts.quick ? 1 : 2));
const startups = Number(opts.startups ?? (opts.quick ? 3 : 7));
const connections = Number(opts.connections);
const machine = machineLine();
const [serverCpu, loadCpu] = machine.cores >= 2 && hasCommand('taskset') ? [0, 1] : [undefined, undefined];

if (!hasCommand('wrk')) {
  console.error('wrk is needed (apt-get install -y wrk; .ci/run installs it).');
  process.exit(1);
}

const APPS = {
  hello: { file: `${ROOT}bench/apps/hello.js`, path: '/' },
  'express-pg': { file: `${ROOT}bench/apps/express-pg.js`, path: '/users/7' },
};

function configurations(receiverUrl) {
  const otelkit = ['--require', `${ROOT}dist/register.js`];
  const previous = opts.against ? ['--require', `${opts.against.replace(/\/$/, '')}/dist/register.js`] : undefined;
  return {
    bare: { nodeArgs: [], env: {} },
    // What the contract makes unavoidable, without otelkit (bench/apps/floor.js): a context
    // made current with AsyncLocalStorage per request and the three tracking headers.
    floor: { nodeArgs: ['--require', `${ROOT}bench/apps/floor.js`], env: { FLOOR: 'als,headers' } },
    otelkit: { nodeArgs: otelkit, env: {} },
    'otelkit-otlp': { nodeArgs: otelkit, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl } },
    ...(previous && {
      previous: { nodeArgs: previous, env: {} },
      'previous-otlp': { nodeArgs: previous, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl } },
    }),
    'stock-otlp': {
      nodeArgs: ['--require', '@opentelemetry/auto-instrumentations-node/register'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp' },
    },
  };
}


/** One measured run: start, warm up, load, read peak RSS, stop. */
async function measure(appName, config) {
  const app = APPS[appName];
  const promPort = 20000 + Math.floor(Math.random() * 20000);
  const server = await startServer({
    app: app.file, nodeArgs: config.nodeArgs, cpu: serverCpu, path: app.path,
    env: { ...config.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_SERVICE_NAME: `bench-${appName}` },
  });
  try {
    const url = `http://127.0.0.1:${server.port}${app.path}`;
    if (warmup > 0) await load(url, { seconds: warmup, connections, cpu: loadCpu });
    const cpuBefore = cpuMs(server.child.pid);
    const result = await load(url, { seconds, connections, cpu: loadCpu });
    const cpuPerRequestUs = ((cpuMs(server.child.pid) - cpuBefore) * 1000) / (result.rps * seconds);
    return { ...result, cpuPerRequestUs, rssMb: peakRssMb(server.child.pid) };
  } finally {
    await stopServer(server.child);
  }
}

/** Start-up of the ES-module hello app under --import, for bare, otelkit and stock. */
function esmConfigurations(receiverUrl) {
  return {
    'bare-esm': { nodeArgs: [], env: {} },
    'otelkit-esm': { nodeArgs: ['--import', `${ROOT}dist/register.mjs`], env: {} },
    'stock-esm': {
      nodeArgs: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp' },
    },
  };
}

async function startupTimes(config, app = APPS.hello.file) {
  const times = [];
  for (let i = 0; i < startups; i++) {
    const server = await startServer({ app, nodeArgs: config.nodeArgs, env: { ...config.env, OTEL_EXPORTER_PROMETHEUS_PORT: '0' }, cpu: serverCpu });
    times.push(server.startupMs);
    await stopServer(server.child);
  }
  return times;
}

async function main() {
  const receiver = await startReceiver(loadCpu);
  const configs = configurations(receiver.url);
  const measured = opts.configs ? opts.configs.split(',') : ['floor', 'otelkit', 'otelkit-otlp', 'stock-otlp'];
  if (opts.against) for (const name of ['previous', 'previous-otlp']) if (!measured.includes(name)) measured.push(name);
  for (const name of measured) if (!configs[name]) throw new Error(`unknown configuration ${name} (known: ${Object.keys(configs).join(', ')})`);
  const results = {};
  try {
    for (const appName of opts.apps.split(',')) {
      results[appName] = Object.fromEntries(measured.map((c) => [c, []]));
      for (let round = 1; round <= rounds; round++) {
        for (const name of measured) {
          const bare = await measure(appName, configs.bare);
          const x = await measure(appName, configs[name]);
          results[appName][name].push({ bare, x });
          console.error(`${appName} round ${round} ${name}: ${x.rps.toFixed(0)} req/s vs bare ${bare.rps.toFixed(0)} (×${(x.rps / bare.rps).toFixed(2)}), RSS ${x.rssMb.toFixed(0)} vs ${bare.rssMb.toFixed(0)} MB`);
        }
      }
    }
    const startup = {};
    for (const name of startups > 0 ? ['bare', ...measured] : []) {
      startup[name] = await startupTimes(configs[name]);
      console.error(`startup ${name}: median ${median(startup[name]).toFixed(0)} ms`);
    }
    const esm = esmConfigurations(receiver.url);
    for (const name of startups > 0 ? Object.keys(esm) : []) {
      startup[name] = await startupTimes(esm[name], `${ROOT}bench/apps/hello.mjs`);
      console.error(`startup ${name}: median ${median(startup[name]).toFixed(0)} ms`);
    }
    const text = report({ machine, opts: { rounds, seconds, warmup, connections, startups, quick: opts.quick, configs: opts.configs, against: opts.against }, results, startup, pinned: serverCpu !== undefined });
    console.log(text);
    // bench/RESULTS.md keeps the history by hand: a run prints its tables and writes a file only when asked.
    if (opts.out) writeFileSync(opts.out, text);
  } finally {
    await receiver.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

