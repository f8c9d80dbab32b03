/**
 * node --import otelkit/register app.mjs
 *
 * Registers OpenTelemetry's ES-module loader hook (import-in-the-middle) so that modules an
 * ES-module app imports can be patched, then starts otelkit as the CommonJS preload does.
 * Where Node runs module hooks in the application's thread (module.registerHooks, fixed in
 * 22.22.3 and 24.11.1) the hook runs there; elsewhere on a loader thread (module.register).
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { disabledByEnvironment, supportedNode } = require('./src/node-version.js') as typeof import('./src/node-version.js');

interface SyncHooks {
  supportsSyncHooks(): boolean;
  register(options?: object): void;
}

/**
 * The loader hook of the import-in-the-middle that @opentelemetry/instrumentation uses (its
 * Hook() registrations must reach this copy): in-thread where Node allows, else off-thread.
 */
async function registerEsmHook(): Promise<void> {
  const instrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
  const syncUrl = pathToFileURL(instrumentation.resolve('import-in-the-middle/register-hooks.mjs')).href;
  const sync = (await import(syncUrl)) as SyncHooks;
  if (sync.supportsSyncHooks()) sync.register();
  else register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
}

if (!disabledByEnvironment() && supportedNode()) {
  let hooked = false;
  try {
    await registerEsmHook();
    hooked = true;
    // Packages now arrive through the ES-module loader too: watched with Node's resolve hook.
    (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.esmHook')] = true;
  } catch (err) {
    process.stderr.write(`otelkit: the ES-module loader hook could not be registered (${(err as Error).message}); ES-module imports are not instrumented.\n`);
  }
  try {
    (require('./otelkit.js') as typeof import('./src/bundle.js')).startFromPreload(hooked ? 'import' : 'require');
  } catch (err) {
    process.stderr.write(`otelkit: could not start (${(err as Error).message}); the application runs uninstrumented.\n`);
  }
}
