// RSS and V8's old space of an app under a long stream of requests on distinct paths, read
// every `--step` requests without forcing a GC: does memory level off, or keep growing?
// The cardinality test (test/reliability/cardinality.test.mjs) reads the heap after a full
// GC instead; this shows what an RSS reading taken at an arbitrary moment sees.
// Not part of `npm run bench`.
//
//   node bench/old-space.mjs [--app any-path|express-404] [--rounds 14] [--step 25000] [--bare] [--no-export]
import { parseArgs } from 'node:util';
import { startApp, fixture, freePort, get, STEADY_HEAP } from '../test/helpers/app.mjs';
import { startReceiver } from '../test/helpers/otlp-receiver.mjs';
import { drive, rssMb, sleep, NODE_METHODS } from '../test/helpers/load.mjs';

const { values: opts } = parseArgs({
  options: {
    app: { type: 'string', default: 'any-path' },
    rounds: { type: 'string', default: '14' },
    step: { type: 'string', default: '25000' },
    bare: { type: 'boolean', default: false },
    'no-export': { type: 'boolean', default: false },
  },
});
const step = Number(opts.step);
const APPS = {
  'any-path': (i) => (i % 2 ? `/known/${i}` : `/scan/${i}/x${i * 7}?q=${i}`),
  'express-404': (i) => [`/users/${i}`, `/api/items/${i}`, `/api/miss${i}`, `/scan/${i}/x${i * 7}`][i % 4],
};
const path = APPS[opts.app];
if (!path) throw new Error(`--app must be one of ${Object.keys(APPS).join(', ')}`);
const receiver = opts['no-export'] ? undefined : await startReceiver();
const promPort = await freePort();
const app = await startApp(fixture(`${opts.app}-app.js`), {
  preload: opts.bare ? null : 'require',
  nodeArgs: STEADY_HEAP,
  env: {
    OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
    OTEL_METRIC_EXPORT_INTERVAL: '60000',
    ...(receiver ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } : {}),
  },
});
const request = (i) => ({ method: NODE_METHODS[i % NODE_METHODS.length], path: path(i) });

/** Old space in use, from the runtime metrics otelkit serves (none for the bare app). */
async function oldSpaceMb() {
  if (opts.bare) return undefined;
  const text = (await get(`http://127.0.0.1:${promPort}/metrics`)).text;
  const m = /^v8js_memory_heap_used_bytes\{[^}]*v8js_heap_space_name="old_space"[^}]*\} (\S+)/m.exec(text);
  return m ? Number(m[1]) / 1048576 : undefined;
}

async function report(label) {
  const old = await oldSpaceMb();
  console.log(`${label.padStart(8)}  RSS ${rssMb(app.child.pid).toFixed(1)} MiB${old === undefined ? '' : `  old space ${old.toFixed(1)} MiB`}`);
}

try {
  console.log(`${opts.app}-app.js ${opts.bare ? 'bare' : `under otelkit${opts['no-export'] ? '' : ', exporting over OTLP'}`}, ${STEADY_HEAP.join(' ')}, ${process.version}`);
  await drive({ port: app.port, count: 10_000, request: (i) => request(10_000_000 + i) });
  await sleep(300);
  await report('warm-up');
  for (let round = 1; round <= Number(opts.rounds); round++) {
    const run = await drive({ port: app.port, count: step, request: (i) => request(round * step + i) });
    if (run.errors.length > 0) throw run.errors[0];
    await sleep(1500);
    await report(`${(round * step).toLocaleString('en')}`);
  }
} finally {
  await app.stop();
  await receiver?.close();
}
