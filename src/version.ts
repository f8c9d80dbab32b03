/** otelkit's version, from its own package.json (the instrumentation scope's version). */
export const VERSION: string = (require('../../package.json') as { version: string }).version;
