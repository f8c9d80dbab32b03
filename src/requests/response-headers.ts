/**
 * X-Request-ID, X-Response-Time and Server-Timing, added at the moment the status line is
 * written: every path to the wire (`end`, `write`, `flushHeaders`, explicit `writeHead`)
 * goes through ServerResponse#writeHead. Headers the application set itself are kept.
 */
import { ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';

/** What the headers need from the request being answered. */
export interface Timed {
  readonly start: number;
  readonly requestId: string;
  readonly span: Span;
  headersSent: boolean;
}

export const kState = Symbol('otelkit.request');

export type Tracked = ServerResponse & { [kState]?: Timed };

type WriteHead = (this: Tracked, statusCode: number, reason?: unknown, headers?: unknown) => unknown;

/** Patches ServerResponse#writeHead once; returns the function that restores it. */
export function patchWriteHead(requestIdHeader: string): () => void {
  const proto = ServerResponse.prototype as unknown as { writeHead: WriteHead };
  const original = proto.writeHead;
  proto.writeHead = function writeHead(this: Tracked) {
    const state = this[kState];
    if (state !== undefined && !state.headersSent && !this.headersSent) {
      state.headersSent = true;
      try {
        addHeaders(this, state, requestIdHeader);
      } catch {
        // A header the app made unsettable must not cost it its response.
      }
      // The app's own header list: errors in it surface exactly as they would without otelkit.
      applyHeaderList(this, arguments);
    }
    return original.apply(this, arguments as unknown as Parameters<WriteHead>);
  };
  return () => {
    if (proto.writeHead !== original) proto.writeHead = original;
  };
}

function addHeaders(res: Tracked, state: Timed, requestIdHeader: string): void {
  const ms = (performance.now() - state.start).toFixed(2);
  if (!res.hasHeader(requestIdHeader)) res.setHeader(requestIdHeader, state.requestId);
  if (!res.hasHeader('x-response-time')) res.setHeader('X-Response-Time', `${ms}ms`);
  const { traceId, spanId, traceFlags } = state.span.spanContext();
  const timing = `total;dur=${ms}, traceparent;desc="00-${traceId}-${spanId}-0${traceFlags & 1}"`;
  const existing = res.getHeader('server-timing');
  res.setHeader('Server-Timing', existing === undefined ? timing : `${String(existing)}, ${timing}`);
}

/**
 * writeHead(status, [name, value, …]) or ([[name, value], …]): without earlier
 * setHeader() calls Node sends that list as given (repeated names included); once the
 * tracking headers are set it would throw on the pairs form and collapse repeated names
 * (two Set-Cookie → one). The list is applied here as Node applies it on its own:
 * the app's names replace ours, repeated names are all kept.
 */
function applyHeaderList(res: Tracked, args: IArguments): void {
  const at = typeof args[1] === 'string' ? 2 : 1;
  const list: unknown = args[at];
  if (!Array.isArray(list) || list.length === 0) return;
  let pairs: unknown[][];
  if (list.every((item) => Array.isArray(item))) pairs = list as unknown[][];
  else if (list.length % 2 === 0) pairs = list.flatMap((item, i) => (i % 2 === 0 ? [[item, list[i + 1]]] : []));
  else return; // malformed: Node reports it as it would without otelkit
  for (const [name] of pairs) if (name) res.removeHeader(String(name));
  for (const [name, value] of pairs) if (name) res.appendHeader(String(name), value as string | readonly string[]);
  args[at] = undefined;
}
