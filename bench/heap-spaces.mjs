// Where the peak RSS under load comes from: for each configuration, one run of the hello
// app under wrk (server, wrk and the OTLP receiver pinned as in bench/run.mjs) with V8's GC trace, reporting
// how much survives each scavenge, how large the young generation (new space) and the old
// space grew, and the peak RSS. Not part of `npm run bench`.
//
// V8 doubles the young generation once the bytes that survived scavenges since the last
// growth exceed its capacity, and does not shrink it under load: a steady few tens of KB
// surviving each scavenge takes it to 64 MB within seconds and 128 MB within a minute on
// Node 24, while a process whose scavenges find next to nothing alive stays small.
//
//   node bench/heap-spaces.mjs [--app hello|express-pg] [--seconds 10] [--configs bare,als,gc-observer,otelkit,otelkit-no-access,otelkit-unsampled,otelkit-no-runtime,otelkit-otlp,otelkit-otlp-no-logs,otelkit-otlp-no-metrics,otelkit-otlp-no-traces]
// With PREVIOUS=DIR, `previous` and `previous-otlp` are the build in DIR (its dist/).
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT, freePort, peakRssMb, startReceiver, stopServer, machineLine, hasCommand } from './lib/proc.mjs';
import { load } from './lib/load.mjs';
import { median } from './lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    app: { type: 'string', default: 'hello' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    configs: { type: 'string', default: 'bare,otelkit,otelkit-otlp' },
  },
});
const APPS = { hello: ['bench/apps/hello.js', '/'], 'express-pg': ['bench/apps/express-pg.js', '/users/7'] };
const [appFile, path] = APPS[opts.app];
const cores = machineLine().cores >= 2 && hasCommand('taskset');


async function until(done, message, ms = 20_000) {
  for (const deadline = Date.now() + ms; !done(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() > deadline) throw new Error(message);
  }
}

async function measure(name, nodeArgs, env) {
  const port = await freePort();
  const args = ['--trace-gc-nvp', '--require', `${ROOT}bench/lib/heap-probe.cjs`, ...nodeArgs, `${ROOT}${appFile}`];
  const [cmd, argv] = cores ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { env: { PATH: process.env.PATH, PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env }, cwd: ROOT });
  // The GC trace is one line per collection: read line by line, keeping only the scavenges
  // of the measured run (a long run's trace is larger than a string can hold).
  let listening = false;
  let measuring = false;
  let partial = '';
  let err = '';
  const copied = [];
  const promoted = [];
  const field = (line, key) => Number(new RegExp(`\\b${key}=(\\d+)`).exec(line)?.[1] ?? 0);
  child.stdout.on('data', (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      if (!listening && line.includes('LISTENING')) listening = true;
      else if (measuring && / gc=s /.test(line)) {
        copied.push(field(line, 'new_space_survived'));
        promoted.push(field(line, 'promoted'));
      }
    }
  });
  child.stderr.on('data', (d) => { err += d; });
  await until(() => listening, `${name} did not start: ${err}`);
  const url = `http://127.0.0.1:${port}${path}`;
  await load(url, { seconds: Number(opts.warmup), connections: Number(opts.connections), cpu: cores ? 1 : undefined });
  measuring = true;
  const { rps } = await load(url, { seconds: Number(opts.seconds), connections: Number(opts.connections), cpu: cores ? 1 : undefined });
  measuring = false;
  const rss = peakRssMb(child.pid);
  child.kill('SIGUSR2');
  await until(() => /HEAP /.test(err), `${name} wrote no heap figures: ${err}`);
  await stopServer(child);
  const peak = JSON.parse(/HEAP (.*)/.exec(err)[1]);
  const sum = (values) => values.reduce((a, b) => a + b, 0);
  const total = sum(copied) + sum(promoted);
  const scavenges = copied.length;
  const mb = (bytes) => (bytes / 1048576).toFixed(1);
  const kb = (bytes) => (bytes / 1024).toFixed(1);
  console.log(`| ${name} | ${rps.toFixed(0)} | ${scavenges} | ${(total / Math.max(1, scavenges) / 1024).toFixed(0)} | ${kb(median(copied))} / ${kb(median(promoted))} | ${mb(total)} | ${mb(peak.new_space)} | ${mb(peak.old_space)} | ${rss.toFixed(0)} |`);
}

const receiver = await startReceiver(cores ? 1 : undefined);
const otelkit = ['--require', `${ROOT}dist/register.js`];
const floor = ['--require', `${ROOT}bench/apps/floor.js`];
const configs = {
  bare: [[], {}],
  // A context made current per request, without otelkit (bench/apps/floor.js).
  als: [floor, { FLOOR: 'als' }],
  // Node's own cost of observing GC, which the runtime metrics' v8js.gc.duration needs.
  'gc-observer': [floor, { FLOOR: 'gc' }],
  otelkit: [otelkit, {}],
  'otelkit-no-access': [otelkit, { OTELKIT_ACCESS_LOG: 'off' }],
  'otelkit-unsampled': [otelkit, { OTEL_TRACES_SAMPLER: 'always_off' }],
  'otelkit-no-runtime': [otelkit, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'runtime-node' }],
  'otelkit-otlp': [otelkit, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }],
  // Exporting without one of the three signals: which of them the survival comes from.
  'otelkit-otlp-no-logs': [otelkit, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_LOGS_EXPORTER: 'none' }],
  'otelkit-otlp-no-metrics': [otelkit, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRICS_EXPORTER: 'prometheus' }],
  'otelkit-otlp-no-traces': [otelkit, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none' }],
};
if (process.env.PREVIOUS) {
  const previous = ['--require', `${process.env.PREVIOUS.replace(/\/$/, '')}/dist/register.js`];
  configs.previous = [previous, {}];
  configs['previous-otlp'] = [previous, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }];
}
console.log(`${opts.app}, ${opts.seconds} s of wrk -c${opts.connections} after ${opts.warmup} s of warm-up (${process.version})\n`);
console.log('| configuration | req/s | scavenges | survived per scavenge KB | median scavenge copied / promoted KB | survived in all MB | young generation at peak MB | old space at peak MB | peak RSS MB |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const name of opts.configs.split(',')) await measure(name, ...configs[name]);
await receiver.stop();
