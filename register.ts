/**
 * node --require otelkit/register app.js
 *
 * Checks the Node version, turns on Node's compile cache, then starts otelkit from the
 * environment. Never throws: on any failure the application runs uninstrumented and one
 * line says why.
 */
import { disabledByEnvironment, supportedNode } from './src/node-version';

if (!disabledByEnvironment() && supportedNode()) {
  try {
    (require('./otelkit.js') as typeof import('./src/bundle')).startFromPreload('require');
  } catch (err) {
    process.stderr.write(`otelkit: could not start (${(err as Error).message}); the application runs uninstrumented.\n`);
  }
}
