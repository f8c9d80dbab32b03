/**
 * node --import otelkit/register app.mjs
 *
 * Registers OpenTelemetry's ES-module loader hook (import-in-the-middle) so that modules an
 * ES-module app imports can be patched, then starts otelkit as the CommonJS preload does.
 */
import { createRequire, register } from 'node:module';

const require = createRequire(import.meta.url);
const { disabledByEnvironment, supportedNode } = require('./src/node-version.js') as typeof import('./src/node-version.js');

if (!disabledByEnvironment() && supportedNode()) {
  let hooked = false;
  try {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
    hooked = true;
    // Packages now arrive through the ES-module loader too: watched with Node's resolve hook.
    (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.esmHook')] = true;
  } catch (err) {
    process.stderr.write(`otelkit: the ES-module loader hook could not be registered (${(err as Error).message}); ES-module imports are not instrumented.\n`);
  }
  try {
    // The public logger is made once the SDK has started (src/logging/public.ts).
    (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.preloading')] = true;
    (require('./otelkit.js') as typeof import('./src/bundle.js')).startFromPreload(hooked ? 'import' : 'require');
  } catch (err) {
    process.stderr.write(`otelkit: could not start (${(err as Error).message}); the application runs uninstrumented.\n`);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.preloading')];
  }
}
