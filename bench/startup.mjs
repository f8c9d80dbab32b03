// Start-up time to the first answered request of the hello app: bare, otelkit and the stock
// OpenTelemetry register, alternated, N runs each.
//   node bench/startup.mjs [runs] [--esm] [--modules] [--compile-cache]
// --esm starts bench/apps/hello.mjs under --import; --modules (with --esm) an app of 311 ES
// modules in barrels instead (bench/lib/modules-app.mjs). With PREVIOUS=DIR, `previous` is
// the build in DIR (its dist/) beside the current one. otelkit turns on Node's compile cache
// itself (module.enableCompileCache()); `otelkit-no-cache` is otelkit with it turned off
// (NODE_DISABLE_COMPILE_CACHE=1). --compile-cache gives every configuration, the stock
// register included, a cache of its own (NODE_COMPILE_CACHE, one directory each, filled by
// a first start that is not counted).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopServer, ROOT } from './lib/proc.mjs';
import { median } from './lib/report.mjs';
import { writeModulesApp } from './lib/modules-app.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 11);
const esm = args.includes('--esm');
const compileCache = args.includes('--compile-cache');
const modulesApp = esm && args.includes('--modules') ? writeModulesApp() : undefined;

const flag = esm ? '--import' : '--require';
const app = modulesApp?.app ?? `${ROOT}bench/apps/${esm ? 'hello.mjs' : 'hello.js'}`;
const stockEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp' };
const configs = {
  bare: { nodeArgs: [], env: {} },
  otelkit: { nodeArgs: [flag, `${ROOT}dist/register.${esm ? 'mjs' : 'js'}`], env: {} },
  'otelkit-no-cache': { nodeArgs: [flag, `${ROOT}dist/register.${esm ? 'mjs' : 'js'}`], env: { NODE_DISABLE_COMPILE_CACHE: '1' } },
  // Nothing is exported before the first answer; the endpoint only makes the exporters load.
  'otelkit-otlp': { nodeArgs: [flag, `${ROOT}dist/register.${esm ? 'mjs' : 'js'}`], env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' } },
  stock: { nodeArgs: [flag, '@opentelemetry/auto-instrumentations-node/register'], env: stockEnv },
};
if (process.env.PREVIOUS) configs.previous = { nodeArgs: [flag, join(process.env.PREVIOUS, `dist/register.${esm ? 'mjs' : 'js'}`)], env: {} };

const caches = [];
if (compileCache) {
  for (const [name, config] of Object.entries(configs)) {
    if (name === 'otelkit-no-cache') continue;
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-cc-'));
    caches.push(dir);
    config.env = { ...config.env, NODE_COMPILE_CACHE: dir };
  }
}

const start = async ({ nodeArgs, env }) => {
  const server = await startServer({ app, nodeArgs, env: { OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env }, cpu: 0 });
  await stopServer(server.child);
  return server.startupMs;
};

try {
  if (compileCache) for (const config of Object.values(configs)) await start(config);
  const times = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, config] of Object.entries(configs)) times[name].push(await start(config));
  }
  const bare = median(times.bare);
  console.log(`${esm ? 'ES modules (--import)' : 'CommonJS (--require)'}${modulesApp ? `, an app of ${modulesApp.modules} modules` : ''}${compileCache ? ', NODE_COMPILE_CACHE' : ''}, ${runs} starts each`);
  for (const [name, t] of Object.entries(times)) {
    const added = name === 'bare' ? '' : `, added ${(median(t) - bare).toFixed(0)} ms`;
    console.log(`${name.padEnd(16)} median ${median(t).toFixed(0)} ms, min ${Math.min(...t).toFixed(0)} ms${added}`);
  }
} finally {
  for (const dir of caches) rmSync(dir, { recursive: true, force: true });
  if (modulesApp) rmSync(modulesApp.dir, { recursive: true, force: true });
}
