// What the open status page costs the application.
//
//   npm run build && node bench/status-page.mjs [--polls 60] [--seconds 10] [--rounds 5]
//
// The hello app (bench/apps/hello.js) runs under the preload, pinned to core 0; its admin
// endpoints are in the same process. A poller does what the open page does: every
// POLL_INTERVAL_MS it fetches all the JSON endpoints the page polls (POLLED, from
// src/server/status-page/endpoints.ts), at once.
//
// 1. CPU per poll round: the app idle, `--polls` rounds 1.05 s apart (so that the 1 s
//    caches of /api/metrics and detailed health never answer, as at the page's 5 s); the
//    app's CPU time (all its threads, /proc/<pid>/stat) over them, less its idle CPU over
//    as long a time without polling, per round. Divided by POLL_INTERVAL_MS it is the
//    share of one core — of a CPU-bound app's throughput — that the open page takes.
// 2. Throughput A/B: wrk against the app's / (on core 1), `--rounds` rounds of `--seconds`
//    each without and with the poller (ABBA order); medians of requests/s and of the app's
//    CPU time per request, and their differences. On a shared machine the spread between
//    rounds is larger than the effect: (1) is the figure, (2) checks it is not missing one.
import { parseArgs } from 'node:util';
import { ROOT, startServer, stopServer, cpuMs, freePort, hasCommand, machineLine } from './lib/proc.mjs';
import { load } from './lib/load.mjs';

const { values } = parseArgs({
  options: { polls: { type: 'string', default: '60' }, seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '5' } },
});
const polls = Number(values.polls);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const SPACING_MS = 1050;

const { POLLED, POLL_INTERVAL_MS } = await import(`${ROOT}dist/src/server/status-page/endpoints.js`);
const paths = Object.values(POLLED);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const adminPort = await freePort();
const app = await startServer({
  app: `${ROOT}bench/apps/hello.js`,
  nodeArgs: ['--require', `${ROOT}dist/register.js`],
  env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort) },
  cpu: 0,
});
const admin = `http://127.0.0.1:${adminPort}/`;

/** One round of the page's requests; throws unless every endpoint answered. */
async function pollRound() {
  const replies = await Promise.all(paths.map((p) => fetch(admin + p, { headers: { accept: 'application/json' } }).then(async (r) => [r.status, await r.arrayBuffer()])));
  const bad = replies.map(([status], i) => [paths[i], status]).filter(([, status]) => status !== 200);
  if (bad.length) throw new Error(`not answered: ${JSON.stringify(bad)}`);
}

/** A poller at the page's rate until stop() is called. */
function startPoller() {
  let stopped = false;
  let count = 0;
  const done = (async () => {
    while (!stopped) {
      await pollRound();
      count++;
      for (let waited = 0; waited < POLL_INTERVAL_MS && !stopped; waited += 100) await sleep(100);
    }
  })();
  return { stop: async () => { stopped = true; await done; return count; } };
}

try {
  const { cores, cpuModel, node } = machineLine();
  console.log(`machine: ${cores} cores, ${cpuModel}, node ${node}; the page polls ${paths.length} endpoints every ${POLL_INTERVAL_MS} ms`);
  let t = performance.now();
  const page = await fetch(admin);
  const html = await page.text();
  console.log(`first GET / (builds the page): ${(performance.now() - t).toFixed(1)} ms, ${html.length} bytes, status ${page.status}`);
  await sleep(2000); // the first system sample lands 1 s after start
  for (let i = 0; i < 3; i++) await pollRound(); // warm-up

  // 1. CPU per round.
  const windowMs = polls * SPACING_MS;
  let c0 = cpuMs(app.child.pid);
  await sleep(windowMs);
  const idleMs = cpuMs(app.child.pid) - c0;
  c0 = cpuMs(app.child.pid);
  t = performance.now();
  for (let i = 0; i < polls; i++) {
    const next = t + (i + 1) * SPACING_MS;
    await pollRound();
    await sleep(Math.max(0, next - performance.now()));
  }
  const pollingMs = cpuMs(app.child.pid) - c0;
  const perRound = (pollingMs - idleMs) / polls;
  const share = (perRound / POLL_INTERVAL_MS) * 100;
  console.log(`app CPU over ${(windowMs / 1000).toFixed(0)} s: idle ${idleMs.toFixed(0)} ms, polling ${polls} rounds ${pollingMs.toFixed(0)} ms`);
  console.log(`CPU per poll round: ${perRound.toFixed(2)} ms → at one round per ${POLL_INTERVAL_MS / 1000} s: ${share.toFixed(3)} % of one core`);

  // 2. Throughput A/B.
  if (!hasCommand('wrk')) {
    console.log('wrk not installed (apt-get install wrk): throughput A/B skipped');
  } else {
    const url = `http://127.0.0.1:${app.port}/`;
    await load(url, { seconds: 3, cpu: 1 }); // warm-up
    /** One wrk round: requests/s, and the app's CPU per request (less sensitive to a busy machine). */
    const measure = async (withPoller) => {
      const poller = withPoller ? startPoller() : undefined;
      const c = cpuMs(app.child.pid);
      const { rps } = await load(url, { seconds, cpu: 1 });
      const usPerRequest = ((cpuMs(app.child.pid) - c) * 1000) / (rps * seconds);
      await poller?.stop();
      return { rps, usPerRequest };
    };
    const runs = { without: [], with: [] };
    for (let r = 0; r < rounds; r++) {
      // ABBA order: drift of the machine falls on both sides alike.
      for (const withPoller of r % 2 === 0 ? [false, true] : [true, false]) runs[withPoller ? 'with' : 'without'].push(await measure(withPoller));
    }
    const col = (xs, key, digits = 0) => xs.map((x) => x[key].toFixed(digits)).join(', ');
    const diff = (key) => {
      const a = median(runs.without.map((x) => x[key]));
      const b = median(runs.with.map((x) => x[key]));
      return { a, b, percent: ((b - a) / a) * 100 };
    };
    const rps = diff('rps');
    const cpu = diff('usPerRequest');
    const spread = (xs) => ((Math.max(...xs) - Math.min(...xs)) / median(xs)) * 100;
    console.log(`wrk / (${seconds} s rounds, 32 connections), req/s: without the page ${col(runs.without, 'rps')}; with it ${col(runs.with, 'rps')}`);
    console.log(`  medians ${Math.round(rps.a)} vs ${Math.round(rps.b)} req/s: ${rps.percent.toFixed(2)} % with the page (spread between rounds without it: ${spread(runs.without.map((x) => x.rps)).toFixed(1)} %)`);
    console.log(`app CPU per request, µs: without the page ${col(runs.without, 'usPerRequest', 1)}; with it ${col(runs.with, 'usPerRequest', 1)}`);
    console.log(`  medians ${cpu.a.toFixed(1)} vs ${cpu.b.toFixed(1)} µs: ${cpu.percent.toFixed(2)} % with the page (spread without it: ${spread(runs.without.map((x) => x.usPerRequest)).toFixed(1)} %)`);
  }
} finally {
  await stopServer(app.child);
}
