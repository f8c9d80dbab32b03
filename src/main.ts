/**
 * What the build bundles into dist/otelkit.js: the public API plus the preload entry, so
 * that the preload and `require('otelkit')` share one copy of every module.
 */
export * from './index';
export { startFromPreload } from './preload';
