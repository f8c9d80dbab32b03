// Loaded with --require in front of a benchmark app (bench/instructions.mjs, configurations
// "als" and "headers"): what otelkit's request path cannot avoid, without otelkit.
//   FLOOR=als      a context made current per request with AsyncLocalStorage#enterWith,
//                  from the same diagnostics channel otelkit uses
//   FLOOR=headers  the three tracking headers the contract asks for, set the same way
//   FLOOR=gc       an empty PerformanceObserver of 'gc' entries, as the runtime metrics'
//                  v8js.gc.duration (@opentelemetry/instrumentation-runtime-node) observes
const { subscribe } = require('node:diagnostics_channel');
const { AsyncLocalStorage } = require('node:async_hooks');
const { ServerResponse } = require('node:http');

const parts = new Set((process.env.FLOOR ?? '').split(','));
if (parts.has('als')) {
  const als = new AsyncLocalStorage();
  subscribe('http.server.request.start', () => als.enterWith({ request: true }));
}
if (parts.has('gc')) {
  const { PerformanceObserver } = require('node:perf_hooks');
  new PerformanceObserver((list) => list.getEntries()).observe({ entryTypes: ['gc'] });
}
if (parts.has('headers')) {
  const { writeHead } = ServerResponse.prototype;
  ServerResponse.prototype.writeHead = function patched(...args) {
    if (!this.headersSent) {
      this.setHeader('X-Request-ID', '5f0c3a8e-9a51-4c1b-8d6e-2b7f4e1a9c30');
      this.setHeader('X-Response-Time', '0.12ms');
      this.setHeader('Server-Timing', 'total;dur=0.12, traceparent;desc="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"');
    }
    return writeHead.apply(this, args);
  };
}
