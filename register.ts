/**
 * node --require otelkit/register app.js
 *
 * Reads the environment, starts the SDK and installs the shutdown hooks. Never throws:
 * on any failure the application runs uninstrumented and one line says why.
 */
import { startFromPreload } from './src/preload';

startFromPreload('require');
