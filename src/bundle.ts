/**
 * The entry of dist/otelkit.js, the one file otelkit's own code is compiled into
 * (scripts/bundle.mjs): the public API, and what the preloads start. Every dependency stays
 * an ordinary package in node_modules.
 */
export * from './index';
export { startFromPreload } from './preload';
