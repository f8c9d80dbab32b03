/** Marks otelkit's own HTTP servers so the HTTP instrumentation leaves their requests alone. */
export const kOtelkitServer = Symbol.for('otelkit.server');
