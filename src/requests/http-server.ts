/**
 * Server spans, request ids and request metrics for node:http and https, built on Node's
 * own diagnostics channels instead of wrapping `Server#emit`
 * (@opentelemetry/instrumentation-http costs a hello server ~0.3–0.4× of its throughput;
 * this path is the one the benchmark holds to ≥ 0.6×).
 *
 *   http.server.request.start   → choose the request id, start the span, make it current
 *   ServerResponse#writeHead    → tracking headers (response-headers.ts)
 *   http.server.response.finish → end the span, record http.server.request.duration
 *
 * The route template comes from the framework: Express's own `req.route` / `req.baseUrl`,
 * Fastify's `tracing:fastify.request.handler:start` channel, or the RPC metadata in the
 * context that the OpenTelemetry Koa instrumentation fills.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import {
  propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Context, type Histogram, type Meter, type Span, type Tracer,
} from '@opentelemetry/api';
import { RPCType, type RPCMetadata } from '@opentelemetry/core';
import { chooseRequestId } from './request-id';
import { requestContext } from './context';
import { kState, patchWriteHead, type Timed, type Tracked } from './response-headers';
import { reportError } from '../guard';
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

/** OpenTelemetry's recommended buckets for http.server.request.duration, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface HttpServerOptions {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** Makes a context current for the rest of the request (AsyncLocalStorage enterWith). */
  readonly attach: (ctx: Context) => void;
  /** Lower-case header name of the request id. */
  readonly requestIdHeader: string;
  /** Called once per finished response: the access log. Must not throw (callers guard it). */
  readonly onResponse?: (info: ResponseInfo, req: IncomingMessage) => void;
}

export interface HttpServerInstrumentation {
  shutdown(): void;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

class RequestState implements Timed {
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

interface ServerMessage {
  request: IncomingMessage;
  response: Tracked & { [kState]?: RequestState };
  server?: { [kOtelkitServer]?: boolean };
}

interface FastifyHandlerMessage {
  reply?: { raw?: Tracked & { [kState]?: RequestState } };
  route?: { url?: unknown };
}

export function createHttpServerInstrumentation(options: HttpServerOptions): HttpServerInstrumentation {
  const { tracer, attach, requestIdHeader, onResponse } = options;
  const durations: Histogram = options.meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });

  function start(req: IncomingMessage, res: ServerMessage['response']): void {
    const startMs = performance.now();
    const rawMethod = req.method ?? 'GET';
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : '_OTHER';
    const { headers, socket } = req;
    const requestId = chooseRequestId(headers[requestIdHeader]);
    const scheme = (socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': query === -1 ? url : url.slice(0, query),
      'url.scheme': scheme,
      'network.protocol.version': req.httpVersion,
      'request.id': requestId,
    };
    if (query !== -1 && query < url.length - 1) attributes['url.query'] = url.slice(query + 1);
    if (method === '_OTHER') attributes['http.request.method_original'] = rawMethod;
    const userAgent = headers['user-agent'];
    if (userAgent) attributes['user_agent.original'] = userAgent;
    addServerAddress(attributes, headers.host);
    const client = clientAddress(headers['x-forwarded-for']) ?? socket.remoteAddress;
    if (client) attributes['client.address'] = client;
    if (socket.remoteAddress) attributes['network.peer.address'] = socket.remoteAddress;
    if (socket.remotePort !== undefined) attributes['network.peer.port'] = socket.remotePort;

    // Without trace headers there is nothing to extract.
    const parent = headers.traceparent === undefined && headers.baggage === undefined
      ? ROOT_CONTEXT
      : propagation.extract(ROOT_CONTEXT, headers);
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    attach(requestContext(parent, span, rpc, requestId));
    res[kState] = new RequestState(startMs, method, span, rpc, requestId, scheme);
  }

  function finish(req: IncomingMessage, state: RequestState, status: number): void {
    const now = performance.now();
    const durationMs = now - state.start;
    const route = state.rpc.route ?? state.route ?? expressRoute(req);
    const { span, method } = state;
    const metricAttributes: Attributes = {
      'http.request.method': method, 'http.response.status_code': status, 'url.scheme': state.scheme, 'network.protocol.version': req.httpVersion,
    };
    if (route !== undefined) metricAttributes['http.route'] = route;
    if (status >= 500) metricAttributes['error.type'] = String(status);
    durations.record(durationMs / 1000, metricAttributes);

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
    span.end(now); // a performance.now() reading: the SDK's way of giving the end time

    if (onResponse !== undefined) {
      const { traceId, spanId } = span.spanContext();
      onResponse({ method, route, status, durationMs, requestId: state.requestId, traceId, spanId }, req);
    }
  }

  function onRequestStart(message: unknown): void {
    const { request, response, server } = message as ServerMessage;
    if (server?.[kOtelkitServer]) return;
    try {
      start(request, response);
    } catch (err) {
      reportError('http.server.request.start', err);
    }
  }

  function onResponseFinish(message: unknown): void {
    const { request, response } = message as ServerMessage;
    const state = response[kState];
    if (state === undefined) return;
    response[kState] = undefined;
    try {
      finish(request, state, response.statusCode);
    } catch (err) {
      reportError('http.server.response.finish', err);
    }
  }

  function onFastifyHandler(message: unknown): void {
    const { reply, route } = message as FastifyHandlerMessage;
    const state = reply?.raw?.[kState];
    if (state !== undefined && typeof route?.url === 'string') state.route = route.url;
  }

  const channels: Array<[string, (message: unknown) => void]> = [
    ['http.server.request.start', onRequestStart],
    ['http.server.response.finish', onResponseFinish],
    ['tracing:fastify.request.handler:start', onFastifyHandler],
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

/** server.address and server.port from the Host header ("example.com:8080", "[::1]:3000"). */
function addServerAddress(attributes: Attributes, host: string | undefined): void {
  if (!host) return;
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (!m || m[1] === '') return;
  attributes['server.address'] = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  if (m[2] !== undefined) attributes['server.port'] = Number(m[2]);
}

/** The first address of X-Forwarded-For, the original client behind proxies. */
function clientAddress(forwarded: string | string[] | undefined): string | undefined {
  const value = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  if (!value) return undefined;
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  return first === '' ? undefined : first;
}
