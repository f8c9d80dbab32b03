/**
 * Server spans, request ids, timing headers and request metrics for node:http and https,
 * built on Node's own diagnostics channels instead of wrapping `Server#emit`
 * (@opentelemetry/instrumentation-http costs a hello server ~0.3–0.4× of its throughput;
 * this path is the one the benchmark holds to ≥ 0.6×).
 *
 *   http.server.request.start   → choose the request id, start the span, make it current
 *   ServerResponse#writeHead    → add X-Request-ID, X-Response-Time and Server-Timing
 *   http.server.response.finish → end the span, record http.server.request.duration
 *
 * Frameworks report the route template through the RPC metadata in the context (the
 * OpenTelemetry Express and Koa instrumentations do) or, for Fastify, its own
 * `tracing:fastify.request.handler:start` channel. Express's `req.route` is the fallback.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ServerResponse, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Histogram, type Meter, type Span, type Tracer,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import { chooseRequestId, REQUEST_ID_KEY } from './request-id';
import { guard } from '../guard';
import { kOtelkitServer } from '../symbols';

export interface ResponseInfo {
  readonly method: string;
  readonly route: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly requestId: string;
  readonly traceId: string;
  readonly spanId: string;
}

export interface HttpServerOptions {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Makes a context current for the rest of the request (AsyncLocalStorage enterWith). */
  readonly attach: (ctx: Context) => void;
  /** Lower-case header name of the request id. */
  readonly requestIdHeader: string;
  /** Called once per finished response, guarded: the access log, APM hooks. */
  readonly onResponse?: (info: ResponseInfo, req: IncomingMessage) => void;
}

export interface HttpServerInstrumentation {
  shutdown(): void;
}

const kState = Symbol('otelkit.request');

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

/** OpenTelemetry's recommended buckets for http.server.request.duration, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

class RequestState {
  headersSent = false;
  route: string | undefined;
  constructor(
    readonly start: number,
    readonly method: string,
    readonly span: Span,
    readonly rpc: RPCMetadata,
    readonly requestId: string,
    readonly scheme: string,
  ) {}
}

type Tracked = ServerResponse & { [kState]?: RequestState };

interface ServerMessage {
  request: IncomingMessage;
  response: Tracked;
  server?: { [kOtelkitServer]?: boolean };
}

interface FastifyHandlerMessage {
  reply?: { raw?: Tracked };
  route?: { url?: unknown };
}

export function createHttpServerInstrumentation(options: HttpServerOptions): HttpServerInstrumentation {
  const { tracer, attach, requestIdHeader } = options;
  const onResponse = options.onResponse ? guard('http.onResponse', options.onResponse) : undefined;
  const duration: Histogram = options.meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS },
  });

  function onRequestStart(message: unknown): void {
    const { request: req, response: res, server } = message as ServerMessage;
    if (server?.[kOtelkitServer]) return;
    const start = performance.now();
    const rawMethod = req.method ?? 'GET';
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
    const requestId = chooseRequestId(req.headers[requestIdHeader]);
    const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': query === -1 ? url : url.slice(0, query),
      'url.scheme': scheme,
      'network.protocol.version': req.httpVersion,
      'request.id': requestId,
    };
    if (method === '_OTHER') attributes['http.request.method_original'] = rawMethod;
    const userAgent = req.headers['user-agent'];
    if (userAgent) attributes['user_agent.original'] = userAgent;
    if (req.socket.remoteAddress) attributes['client.address'] = req.socket.remoteAddress;

    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    attach(setRPCMetadata(trace.setSpan(parent, span), rpc).setValue(REQUEST_ID_KEY, requestId));
    res[kState] = new RequestState(start, method, span, rpc, requestId, scheme);
  }

  function onResponseFinish(message: unknown): void {
    const { request: req, response: res } = message as ServerMessage;
    const state = res[kState];
    if (state === undefined) return;
    res[kState] = undefined;
    const durationMs = performance.now() - state.start;
    const status = res.statusCode;
    const route = state.rpc.route ?? state.route ?? expressRoute(req);
    const { span, method } = state;

    const metricAttributes: Attributes = {
      'http.request.method': method,
      'http.response.status_code': status,
      'url.scheme': state.scheme,
    };
    if (route !== undefined) metricAttributes['http.route'] = route;
    if (status >= 500) metricAttributes['error.type'] = String(status);
    duration.record(durationMs / 1000, metricAttributes);

    if (span.isRecording()) {
      span.setAttribute('http.response.status_code', status);
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${method} ${route}`);
      }
      if (status >= 500) {
        span.setAttribute('error.type', String(status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
    }
    span.end();

    if (onResponse !== undefined) {
      const { traceId, spanId } = span.spanContext();
      onResponse({ method, route, status, durationMs, requestId: state.requestId, traceId, spanId }, req);
    }
  }

  function onFastifyHandler(message: unknown): void {
    const { reply, route } = message as FastifyHandlerMessage;
    const state = reply?.raw?.[kState];
    if (state !== undefined && typeof route?.url === 'string') state.route = route.url;
  }

  const channels: Array<[string, (message: unknown) => void]> = [
    ['http.server.request.start', guard('http.server.request.start', onRequestStart)],
    ['http.server.response.finish', guard('http.server.response.finish', onResponseFinish)],
    ['tracing:fastify.request.handler:start', guard('fastify.route', onFastifyHandler)],
  ];
  for (const [name, fn] of channels) subscribe(name, fn);
  const restoreWriteHead = patchWriteHead(requestIdHeader);

  return {
    shutdown() {
      for (const [name, fn] of channels) unsubscribe(name, fn);
      restoreWriteHead();
    },
  };
}

/** Express keeps the matched route on the request; mounted routers add their base URL. */
function expressRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown };
  if (route === undefined || typeof route.path !== 'string') return undefined;
  return (typeof baseUrl === 'string' ? baseUrl : '') + route.path;
}

/**
 * Adds the tracking headers at the moment the status line is written: every path to the
 * wire (`end`, `write`, `flushHeaders`, explicit `writeHead`) goes through writeHead.
 * Headers the application set itself are kept.
 */
function patchWriteHead(requestIdHeader: string): () => void {
  type WriteHead = (this: Tracked, ...args: unknown[]) => unknown;
  const proto = ServerResponse.prototype as unknown as { writeHead: WriteHead };
  const original = proto.writeHead;
  proto.writeHead = function writeHead(this: Tracked, ...args: unknown[]) {
    const state = this[kState];
    if (state !== undefined && !state.headersSent && !this.headersSent) {
      state.headersSent = true;
      try {
        addHeaders(this, state, requestIdHeader);
      } catch {
        // A header the app made unsettable must not cost it its response.
      }
      applyHeaderList(this, args);
    }
    return original.apply(this, args);
  };
  return () => {
    if (proto.writeHead !== original) proto.writeHead = original;
  };
}

/**
 * writeHead(status, [name, value, …]) or ([[name, value], …]): without earlier
 * setHeader() calls Node sends that list as given (repeated names included); once the
 * tracking headers are set it would throw on the pairs form and collapse repeated names
 * (two Set-Cookie → one). The list is applied here as Node applies it on its own:
 * the app's names replace ours, repeated names are all kept.
 */
function applyHeaderList(res: Tracked, args: unknown[]): void {
  const at = typeof args[1] === 'string' ? 2 : 1;
  const list = args[at];
  if (!Array.isArray(list) || list.length === 0) return;
  let pairs: unknown[][];
  if (list.every((item) => Array.isArray(item))) pairs = list as unknown[][];
  else if (list.length % 2 === 0) pairs = list.flatMap((item, i) => (i % 2 === 0 ? [[item, list[i + 1]]] : []));
  else return; // malformed: Node reports it as it would without otelkit
  for (const [name] of pairs) if (name) res.removeHeader(String(name));
  for (const [name, value] of pairs) if (name) res.appendHeader(String(name), value as string | readonly string[]);
  args[at] = undefined;
}

function addHeaders(res: Tracked, state: RequestState, requestIdHeader: string): void {
  const ms = (performance.now() - state.start).toFixed(2);
  if (!res.hasHeader(requestIdHeader)) res.setHeader(requestIdHeader, state.requestId);
  if (!res.hasHeader('x-response-time')) res.setHeader('X-Response-Time', `${ms}ms`);
  const { traceId, spanId, traceFlags } = state.span.spanContext();
  const timing = `total;dur=${ms}, traceparent;desc="00-${traceId}-${spanId}-0${traceFlags & 1}"`;
  const existing = res.getHeader('server-timing');
  res.setHeader('Server-Timing', existing === undefined ? timing : `${String(existing)}, ${timing}`);
}
