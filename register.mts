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
} catch (err) {
  process.stderr.write(`otelkit warning: the ESM loader hook could not be registered (${(err as Error).message}); imports will not be instrumented.\n`);
}

(require('./src/preload.js') as typeof import('./src/preload.js')).startFromPreload('import');
