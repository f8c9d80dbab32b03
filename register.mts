/**
 * node --import otelkit/register app.mjs
 *
 * Starts otelkit as the CommonJS preload does, with OpenTelemetry's ES-module loader hook
 * (import-in-the-middle) so that modules an ES-module app imports can be patched: in the
 * application's thread where Node allows it (module.registerHooks, fixed in 22.22.3 and
 * 24.11.1), elsewhere on a loader thread (module.register). src/preload.ts registers it.
 */
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const { disabledByEnvironment, supportedNode } = require('./src/node-version.js') as typeof import('./src/node-version.js');
type EsmHooks = NonNullable<Parameters<typeof import('./src/bundle.js').startFromPreload>[1]>;

/** The in-thread hook of the import-in-the-middle that @opentelemetry/instrumentation uses (its Hook() registrations must reach this copy). */
async function importSyncHooks(): Promise<EsmHooks['sync']> {
  try {
    const instrumentation = createRequire(require.resolve('@opentelemetry/instrumentation'));
    return (await import(pathToFileURL(instrumentation.resolve('import-in-the-middle/register-hooks.mjs')).href)) as EsmHooks['sync'];
  } catch {
    return undefined; // an import-in-the-middle without it: the loader thread
  }
}

if (!disabledByEnvironment() && supportedNode()) {
  try {
    const otelkit = require('./otelkit.js') as typeof import('./src/bundle.js');
    otelkit.startFromPreload('import', {
      sync: await importSyncHooks(),
      registerAsync: (data) => register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data }),
    });
  } catch (err) {
    process.stderr.write(`otelkit: could not start (${(err as Error).message}); the application runs uninstrumented.\n`);
  }
}
