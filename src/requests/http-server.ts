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
import type { Socket } from 'node:net';
import {
  propagation, ROOT_CONTEXT, SpanStatusCode, type Attributes, type Context, type Histogram, type Meter, type Span,
} from '@opentelemetry/api';
import { RPCType, type RPCMetadata } from '@opentelemetry/core';
import { chooseRequestId } from './request-id';
import { requestContext, type RequestContext } from './context';
import { expressRoute } from './express-route';
import { createRouteTemplates } from './route-template';
import { kState, patchWriteHead, type Timed, type Tracked } from './response-headers';
import { patchIdleTimer } from './idle-timer';
import { reportError } from '../guard';
import { kOtelkitServer } from '../symbols';

export interface ResponseInfo {
  readonly method: string;
  /** The framework's route template, or the one set with setRoute(). */
  readonly route: string | undefined;
  /** Without a route: the path with its ids replaced (`/users/:id`), when within bounds. */
  readonly template: string | undefined;
  /** The path, without the query string. */
  readonly path: string;
  /** The response status; 0 when the client went away before any was sent. */
  readonly status: number;
  /** The client closed the connection before the response was complete. */
  readonly aborted: boolean;
  readonly durationMs: number;
  readonly requestId: string;
  readonly traceId: string;
  readonly spanId: string;
}

/** OpenTelemetry's recommended buckets for http.server.request.duration, in seconds. */
export const DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Starts the server span; `attributes` becomes the span's own object: valid values, none undefined. */
export type StartServerSpan = (name: string, attributes: Attributes, parent: Context) => Span;

export interface HttpServerOptions {
  readonly startSpan: StartServerSpan;
  readonly meter: Meter;
  /** Makes a context current for the rest of the request (AsyncLocalStorage enterWith). */
  readonly attach: (ctx: Context) => void;
  /** Header name of the request id, as it is written on responses (read case-insensitively). */
  readonly requestIdHeader: string;
  /** Distinct route-like names given to requests no framework routed. */
  readonly maxTemplates?: number;
  /** Called once when that bound is first reached. */
  readonly onTemplatesFull?: () => void;
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
    readonly path: string,
    readonly span: Span,
    readonly rpc: RPCMetadata,
    readonly requestId: string,
    readonly scheme: string,
    readonly context: RequestContext,
  ) {}
}

type Response = Tracked & { [kState]?: RequestState };

interface ServerMessage {
  request: IncomingMessage;
  response: Response;
  socket?: Socket;
  server?: { [kOtelkitServer]?: boolean; keepAliveTimeout?: number };
}

interface FastifyHandlerMessage {
  reply?: { raw?: Response };
  route?: { url?: unknown };
}

interface FastifyInstance {
  addHook(name: 'onRequest', hook: (request: { routeOptions?: { url?: unknown } }, reply: { raw?: Response }, done: () => void) => void): unknown;
}

export function createHttpServerInstrumentation(options: HttpServerOptions): HttpServerInstrumentation {
  const { startSpan, attach, onResponse } = options;
  const requestIdHeader = options.requestIdHeader.toLowerCase();
  const templates = createRouteTemplates(options.maxTemplates ?? 200, options.onTemplatesFull ?? (() => undefined));
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
    const path = query === -1 ? url : url.slice(0, query);
    const attributes: Attributes = {
      'http.request.method': method,
      'url.path': path,
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
    const span = startSpan(method, attributes, parent);
    const rpc: RPCMetadata = { type: RPCType.HTTP, span };
    const context = requestContext(parent, span, rpc, requestId);
    attach(context);
    res[kState] = new RequestState(startMs, method, path, span, rpc, requestId, scheme, context);
    res.on('close', onResponseClose);
  }

  function finish(req: IncomingMessage, state: RequestState, res: Response, aborted: boolean): void {
    const now = performance.now();
    const durationMs = now - state.start;
    const route = state.rpc.route ?? state.route ?? expressRoute(req);
    // A client that went away before the status line was sent got no status.
    const status = aborted && !res.headersSent ? 0 : res.statusCode;
    // A 404 without a route is no route: a scanner's paths are named by their method alone.
    const template = route === undefined && status !== 404 ? templates.of(state.path) : undefined;
    const errorType = aborted ? 'aborted' : status >= 500 ? String(status) : undefined;
    const { span, method } = state;
    const metricAttributes: Attributes = { 'http.request.method': method, 'url.scheme': state.scheme, 'network.protocol.version': req.httpVersion };
    if (status !== 0) metricAttributes['http.response.status_code'] = status;
    if (route !== undefined) metricAttributes['http.route'] = route;
    if (errorType !== undefined) metricAttributes['error.type'] = errorType;
    durations.record(durationMs / 1000, metricAttributes);

    if (span.isRecording()) {
      if (status !== 0) span.setAttribute('http.response.status_code', status);
      if (route !== undefined) span.setAttribute('http.route', route);
      else if (template !== undefined) span.setAttribute('url.template', template);
      if (route !== undefined || template !== undefined) span.updateName(`${method} ${route ?? template}`);
      if (errorType !== undefined) span.setAttribute('error.type', errorType);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(now); // a performance.now() reading: the SDK's way of giving the end time
    const ids = span.spanContext();
    state.context.spanEnded(ids);

    if (onResponse !== undefined) {
      const { traceId, spanId } = ids;
      onResponse({ method, route, template, path: state.path, status, aborted, durationMs, requestId: state.requestId, traceId, spanId }, req);
    }
  }

  /** 'close' before 'finish': the client went away; the request is recorded as aborted. */
  function onResponseClose(this: Response): void {
    const state = this[kState];
    if (state === undefined) return;
    this[kState] = undefined;
    try {
      finish(this.req, state, this, true);
    } catch (err) {
      reportError('http.server.response.close', err);
    }
  }

  function onRequestStart(message: unknown): void {
    const { request, response, server } = message as ServerMessage;
    if (server?.[kOtelkitServer]) return;
    idleTimer.disarm();
    try {
      start(request, response);
    } catch (err) {
      reportError('http.server.request.start', err);
    }
  }

  function onResponseFinish(message: unknown): void {
    const { request, response, socket, server } = message as ServerMessage;
    const state = response[kState];
    if (state === undefined) return;
    response[kState] = undefined;
    try {
      finish(request, state, response, false);
    } catch (err) {
      reportError('http.server.response.finish', err);
    }
    // Node arms the kept-alive socket's idle timer next, unless the connection closes or
    // the server has no finite keep-alive timeout (with a pipelined response queued it arms
    // none: the mark is then dropped when the next request starts).
    const keepAlive = server?.keepAliveTimeout;
    if (socket !== undefined && !(response as { _last?: boolean })._last && Number.isFinite(keepAlive) && (keepAlive as number) > 0) idleTimer.armFor(socket);
  }

  function onFastifyHandler(message: unknown): void {
    const { reply, route } = message as FastifyHandlerMessage;
    const state = reply?.raw?.[kState];
    if (state !== undefined && typeof route?.url === 'string') state.route = route.url;
  }

  /**
   * Each Fastify instance, as it is created, gets a first onRequest hook that reads the
   * route Fastify matched: replies sent before the handler (a 400 for malformed JSON, a
   * schema error, a 401 from a later hook) keep their route.
   */
  function onFastifyInit(message: unknown): void {
    const fastify = (message as { fastify?: FastifyInstance }).fastify;
    if (typeof fastify?.addHook !== 'function') return;
    try {
      fastify.addHook('onRequest', (request, reply, done) => {
        const state = reply?.raw?.[kState];
        const url = request?.routeOptions?.url;
        if (state !== undefined && typeof url === 'string') state.route = url;
        done();
      });
    } catch (err) {
      reportError('fastify.initialization', err);
    }
  }

  const idleTimer = patchIdleTimer();
  const channels: Array<[string, (message: unknown) => void]> = [
    ['http.server.request.start', onRequestStart],
    ['http.server.response.finish', onResponseFinish],
    ['tracing:fastify.request.handler:start', onFastifyHandler],
    ['fastify.initialization', onFastifyInit],
  ];
  for (const [name, fn] of channels) subscribe(name, fn);
  const restoreWriteHead = patchWriteHead(options.requestIdHeader);

  return {
    shutdown() {
      for (const [name, fn] of channels) unsubscribe(name, fn);
      restoreWriteHead();
      idleTimer.restore();
    },
  };
}

interface ServerAddress {
  readonly host: string;
  readonly address?: string;
  readonly port?: number;
}

/** The Host header last parsed: a service mostly answers to one name, so most requests skip the parse. */
let lastHost: ServerAddress = { host: '' };

/** server.address and server.port from the Host header ("example.com:8080", "[::1]:3000"). */
function addServerAddress(attributes: Attributes, host: string | undefined): void {
  if (!host) return;
  if (host !== lastHost.host) lastHost = parseHost(host);
  const { address, port } = lastHost;
  if (address === undefined) return;
  attributes['server.address'] = address;
  if (port !== undefined) attributes['server.port'] = port;
}

function parseHost(host: string): ServerAddress {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(host);
  if (!m || m[1] === '') return { host };
  const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
  return { host, address, port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The first address of X-Forwarded-For, the original client behind proxies. */
function clientAddress(forwarded: string | string[] | undefined): string | undefined {
  const value = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  if (!value) return undefined;
  const comma = value.indexOf(',');
  const first = (comma === -1 ? value : value.slice(0, comma)).trim();
  return first === '' ? undefined : first;
}
