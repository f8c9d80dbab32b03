/**
 * The context a request runs in — its server span, its RPC metadata (where frameworks put
 * the route template) and its request id, over the extracted parent — built as one object.
 * The API's BaseContext copies a Map and makes three closures per setValue, three times per
 * request; this is one allocation, and values set later are one small link each.
 *
 * The keys are the API's own: createContextKey() is Symbol.for(description), precisely so
 * that every copy of the API and SDK agrees on them.
 */
import { createContextKey, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import type { RPCMetadata } from '@opentelemetry/core';
import { REQUEST_ID_KEY } from './request-id';

const SPAN_KEY = createContextKey('OpenTelemetry Context Key SPAN');
const RPC_METADATA_KEY = createContextKey('OpenTelemetry SDK Context Key RPC_METADATA');

/** One key set (or deleted, with undefined) over a base context. */
class LinkedContext implements Context {
  constructor(
    private readonly base: Context,
    private readonly key: symbol,
    private readonly value: unknown,
  ) {}

  getValue(key: symbol): unknown {
    return key === this.key ? this.value : this.base.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new LinkedContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new LinkedContext(this, key, undefined);
  }
}

export class RequestContext implements Context {
  constructor(
    private readonly parent: Context,
    private span: Span,
    private readonly rpc: RPCMetadata,
    private readonly requestId: string,
  ) {}

  /**
   * The span has ended: from now on the context holds only its ids. An ended span records
   * nothing more (isRecording() is false, every change is ignored), so code that still runs
   * in this context — the app's own 'finish' listeners, its timers — sees the same trace
   * and span ids and the same behaviour, and the ended span with its attributes is not
   * kept alive by it.
   */
  spanEnded(ids: SpanContext): void {
    this.span = trace.wrapSpanContext(ids);
    this.rpc.span = this.span;
  }

  getValue(key: symbol): unknown {
    if (key === SPAN_KEY) return this.span;
    if (key === RPC_METADATA_KEY) return this.rpc;
    if (key === REQUEST_ID_KEY) return this.requestId;
    return this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return new LinkedContext(this, key, value);
  }

  deleteValue(key: symbol): Context {
    return new LinkedContext(this, key, undefined);
  }
}

export function requestContext(parent: Context, span: Span, rpc: RPCMetadata, requestId: string): RequestContext {
  return new RequestContext(parent, span, rpc, requestId);
}
