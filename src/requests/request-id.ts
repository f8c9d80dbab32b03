/**
 * The request id: kept from the client when safe, generated otherwise, carried in the
 * OpenTelemetry context so every log line, span and slow-query record can read it, and
 * injected into outgoing requests by RequestIdPropagator.
 */
import { randomUUID } from 'node:crypto';
import {
  context, createContextKey, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter,
} from '@opentelemetry/api';

export const REQUEST_ID_KEY = createContextKey('otelkit request id');

/** 1–200 characters of A–Z a–z 0–9 - _ . : / + = @ (docs/ENDPOINTS.md "Request tracking"). */
const SAFE_ID = /^[A-Za-z0-9\-_.:/+=@]{1,200}$/;

export function isSafeRequestId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value);
}

/** The client's id when it is safe; a new UUID otherwise. Repeated headers are not safe. */
export function chooseRequestId(header: string | string[] | undefined): string {
  return isSafeRequestId(header) ? header : randomUUID();
}

/** The current request's id, or undefined outside a request. */
export function getRequestId(ctx: Context = context.active()): string | undefined {
  return ctx.getValue(REQUEST_ID_KEY) as string | undefined;
}

/** Passes the request id on to downstream calls made by instrumented HTTP clients. */
export class RequestIdPropagator implements TextMapPropagator {
  constructor(private readonly header: string) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const id = ctx.getValue(REQUEST_ID_KEY);
    if (typeof id === 'string') setter.set(carrier, this.header, id);
  }

  /** Incoming ids are chosen by the HTTP server instrumentation, not here. */
  extract(ctx: Context, _carrier: unknown, _getter: TextMapGetter): Context {
    return ctx;
  }

  fields(): string[] {
    return [this.header];
  }
}
