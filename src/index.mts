/** The ES-module face of the public API: the same named exports as the CommonJS build. */
export * from './index.js';
