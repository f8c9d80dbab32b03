/**
 * node --require otelkit/register app.js
 *
 * Reads the environment, starts the SDK and installs the shutdown hooks. Never throws:
 * on any failure the application runs uninstrumented and one line says why.
 */
import { loadBundle } from './load';

try {
  loadBundle().exports.startFromPreload('require');
} catch (err) {
  process.stderr.write(`otelkit error: could not load (${(err as Error).message}); the application runs uninstrumented.\n`);
}
