// Cost of otelkit's logging and request tracking, as ratios to the same work without them.
//
//   npm run build && node bench/logging.mjs [--quick]
//
// 1. Per log line: N JSON lines (console + file) through otelkit's logger vs a bare winston
//    logger (format.json, Console + File transports), stdout to /dev/null. Reported: the
//    time the logging calls take (what the app waits for), until the last line is on disk,
//    and the process CPU time per line. (A bare winston logger's calls return early once
//    its File transport signals backpressure: the lines wait in memory and are formatted
//    and written later, which is why its call time is low and its time to disk is not.)
// 2. Per request: a hello-world node:http server, bare vs under the preload (request id,
//    timing headers, server span, duration metric), and with the access line on
//    (LOG_LEVEL=http, stdout to /dev/null); load from autocannon.
// The machine is shared: each figure is the median of several runs, alternating configurations.
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const quick = process.argv.includes('--quick');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORKER = join(ROOT, 'bench/logging-worker.js');
const REGISTER = join(ROOT, 'dist/register.js');
const ROUNDS = quick ? 3 : 5;
const LINES = quick ? 20_000 : 50_000;
const SECONDS = quick ? 3 : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function baseEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OTEL|OTELKIT|LOG_|ENABLE_JSON_LOGS|NODE_ENV|NODE_OPTIONS)/.test(k)) env[k] = v;
  return { ...env, OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...extra };
}

function lines(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-'));
  const file = join(dir, 'app.log');
  const args = kind === 'otelkit' ? ['--require', REGISTER, WORKER, 'lines-otelkit', file, String(LINES)] : [WORKER, 'lines-winston', file, String(LINES)];
  const env = baseEnv(kind === 'otelkit' ? { LOG_FILE: file, ENABLE_JSON_LOGS: 'true', LOG_MAX_SIZE: '1g' } : {});
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', openSync('/dev/null', 'w'), 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      const m = /\{"loopNs".*\}/.exec(err);
      if (!m) return reject(new Error(err));
      const { loopNs, totalNs, cpuUs } = JSON.parse(m[0]);
      resolve({ callNs: loopNs / (LINES + 1), diskNs: totalNs / (LINES + 1), cpuNs: (cpuUs * 1000) / (LINES + 1) });
    });
  });
}

async function hello(preload, extraEnv) {
  const args = preload ? ['--require', REGISTER, WORKER, 'hello'] : [WORKER, 'hello'];
  const child = spawn(process.execPath, args, { env: baseEnv(extraEnv), stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise((resolve) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (!m) return;
      child.stdout.off('data', onData);
      child.stdout.resume(); // the access lines are read and dropped, as a log shipper would
      resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
  });
  const url = `http://127.0.0.1:${port}/`;
  await autocannon({ url, connections: 10, duration: 1 }); // warm-up
  const result = await autocannon({ url, connections: 10, duration: SECONDS });
  child.kill('SIGTERM');
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const lineRuns = { winston: [], otelkit: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const kind of ['winston', 'otelkit']) lineRuns[kind].push(await lines(kind));
}
const lineResult = Object.fromEntries(Object.entries(lineRuns).map(([k, runs]) => [k, {
  call_ns_per_line: Math.round(median(runs.map((x) => x.callNs))),
  to_disk_ns_per_line: Math.round(median(runs.map((x) => x.diskNs))),
  cpu_ns_per_line: Math.round(median(runs.map((x) => x.cpuNs))),
}]));

const configs = {
  bare: [false, {}],
  otelkit: [true, {}],
  'otelkit + access line': [true, { LOG_LEVEL: 'http', ENABLE_JSON_LOGS: 'true' }],
};
const reqRuns = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, [preload, env]] of Object.entries(configs)) reqRuns[name].push(await hello(preload, env));
}
const reqResult = Object.fromEntries(Object.entries(reqRuns).map(([k, runs]) => [k, {
  req_per_s: Math.round(median(runs.map((x) => x.rps))),
  p50_ms: median(runs.map((x) => x.p50)),
  p99_ms: median(runs.map((x) => x.p99)),
}]));

const ratio = (a, b) => Math.round((a / b) * 100) / 100;
console.log(JSON.stringify({
  rounds: ROUNDS,
  lines_per_run: LINES,
  seconds_per_load_run: SECONDS,
  log_line: lineResult,
  log_line_ratio_otelkit_to_winston: {
    call: ratio(lineResult.otelkit.call_ns_per_line, lineResult.winston.call_ns_per_line),
    to_disk: ratio(lineResult.otelkit.to_disk_ns_per_line, lineResult.winston.to_disk_ns_per_line),
    cpu: ratio(lineResult.otelkit.cpu_ns_per_line, lineResult.winston.cpu_ns_per_line),
  },
  hello_server: reqResult,
  throughput_ratio_to_bare: Object.fromEntries(Object.keys(reqResult).map((k) => [k, ratio(reqResult[k].req_per_s, reqResult.bare.req_per_s)])),
}, null, 2));
