// How much a storm of monitoring calls costs the application's own requests.
//
//   npm run build && node bench/health-load.mjs [--duration 10] [--target app|admin]
//
// Starts test/fixtures/cjs-app.js under the preload (OTELKIT_MOUNT_ROUTES=true, the real
// PostgreSQL and Redis as DATABASE_URL / REDIS_URL), then measures the app's own `/` with
// autocannon (10 connections) twice: alone, and while 200 connections keep calling
// /api/metrics and /api/health/detailed (on the app's port with --target app, the
// default; on the admin port with --target admin), and, as the control, while 200
// connections call the app's own `/` (any 200-connection flood takes its share of one
// event loop). Prints p50/p99 latency and req/s of each.
import autocannon from 'autocannon';
import { parseArgs } from 'node:util';
import { startApp, fixture, freePort } from '../test/helpers/app.mjs';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, target: { type: 'string', default: 'app' } } });
const duration = Number(values.duration);

const adminPort = await freePort();
const app = await startApp(fixture('cjs-app.js'), {
  env: {
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort),
    OTELKIT_MOUNT_ROUTES: 'true',
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
    REDIS_URL: 'redis://127.0.0.1:6379',
  },
});
const stormBase = values.target === 'admin' ? `http://127.0.0.1:${adminPort}` : app.url;

const run = (opts) => new Promise((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));
const own = () => run({ url: `${app.url}/`, connections: 10, duration });
const summary = (r) => `p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  max ${r.latency.max} ms  ${Math.round(r.requests.average)} req/s  errors ${r.errors + r.non2xx}`;

try {
  await run({ url: `${app.url}/`, connections: 10, duration: 2 }); // warm-up
  const alone = await own();
  const under = async (url, requests) => {
    const stormP = run({ url, connections: 200, duration: duration + 1, requests });
    const during = await own();
    return { during, storm: await stormP };
  };
  const control = await under(`${app.url}/`, undefined);
  const monitoring = await under(stormBase, [{ method: 'GET', path: '/api/metrics' }, { method: 'GET', path: '/api/health/detailed' }]);
  console.log(`app / alone:                               ${summary(alone)}`);
  console.log(`app / during 200 conn. of / (control):     ${summary(control.during)}`);
  console.log(`  the control flood itself:                ${summary(control.storm)}`);
  console.log(`app / during 200 conn. of monitoring (${values.target}): ${summary(monitoring.during)}`);
  console.log(`  the monitoring flood itself:             ${summary(monitoring.storm)}`);
  console.log(`p99 of / under the monitoring flood: ${monitoring.during.latency.p99} ms vs ${control.during.latency.p99} ms under the control flood, ${alone.latency.p99} ms alone`);
} finally {
  await app.stop();
}
