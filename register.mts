/**
 * node --import otelkit/register app.mjs
 *
 * Registers the OpenTelemetry ESM loader hook (import-in-the-middle) so that modules
 * imported by an ES-module app can be patched, then starts otelkit like the CommonJS
 * preload does.
 */
import { register } from 'node:module';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

try {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // The bundle loads import-in-the-middle's runtime only when its loader is registered.
  (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.esm-loader')] = true;
} catch (err) {
  process.stderr.write(`otelkit warning: the ESM loader hook could not be registered (${(err as Error).message}); imports will not be instrumented.\n`);
}

try {
  (require('./load.js') as typeof import('./load.js')).loadBundle().exports.startFromPreload('import');
} catch (err) {
  process.stderr.write(`otelkit error: could not load (${(err as Error).message}); the application runs uninstrumented.\n`);
}
