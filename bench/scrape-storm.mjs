// What scraping otelkit's largest answers costs the application's own requests.
//
//   npm run build && node bench/scrape-storm.mjs [--duration 10] [--target admin|app] [--clients 20]
//
// Starts test/fixtures/slow-records-app.js under the preload with OTELKIT_SLOW_QUERY_MS=0,
// so that it holds 1,000 slow-query records of ~2 KB (a page of ?limit=1000 is ~2 MB of
// JSON). Then measures the app's own `/` with autocannon (10 connections) alone, and while
// --clients connections read /api/performance/slow-queries?limit=1000 in a loop — on the
// admin port (--target admin, the default) or on the app's port through
// monitoringHandler() (--target app). Prints p50/p99 of `/`, and what the scrapers got:
// answers by status and MiB a second.
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { startApp, fixture, freePort } from '../test/helpers/app.mjs';

const { values } = parseArgs({
  options: { duration: { type: 'string', default: '10' }, target: { type: 'string', default: 'admin' }, clients: { type: 'string', default: '20' } },
});
const duration = Number(values.duration);
const adminPort = await freePort();
const app = await startApp(fixture('slow-records-app.js'), {
  env: {
    OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort),
    OTELKIT_SLOW_QUERY_MS: '0',
    RECORDS: '1000',
    ...(values.target === 'app' ? { MONITORING_HANDLER: '1' } : {}),
  },
});
const scraped = `${values.target === 'app' ? app.url : `http://127.0.0.1:${adminPort}`}/api/performance/slow-queries?limit=1000`;

const run = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));
const own = () => run({ url: `${app.url}/`, connections: 10, duration });
const summary = (r) => `p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  ${Math.round(r.requests.average)} req/s  errors ${r.errors + r.non2xx}`;

try {
  await run({ url: `${app.url}/`, connections: 10, duration: 2 }); // warm-up
  const alone = await own();
  const stormP = run({ url: scraped, connections: Number(values.clients), duration: duration + 1, timeout: 15 });
  const during = await own();
  const storm = await stormP;
  const statuses = Object.fromEntries(Object.entries(storm.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]));
  console.log(`app / alone:                        ${summary(alone)}`);
  console.log(`app / during the scrape storm:      ${summary(during)}`);
  console.log(`the storm (${values.clients} clients, ${values.target}): answers ${JSON.stringify(statuses)}, timeouts ${storm.timeouts}, `
    + `${(storm.throughput.total / 2 ** 20 / (duration + 1)).toFixed(2)} MiB/s served`);
} finally {
  await app.stop();
}
