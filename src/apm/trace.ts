/**
 * trace(name, attributes?) and traceBlock(name, attributes, fn): application code in
 * spans. trace() returns a wrapper that works on a plain function (sync or async) and as
 * a standard (TC39 / TypeScript 5) class-method decorator; legacy experimentalDecorators
 * are accepted too. The tracer is looked up at call time (`otelkit` scope): before or
 * without otelkit the global no-op tracer is used and the function simply runs.
 *
 * Errors are recorded on the span (exception event, ERROR status) and rethrown as the same
 * object. `this`, arguments and return values pass through untouched; a native Promise
 * result is followed to its settlement (the caller gets a promise of the same value or
 * the same rejection). Other thenables are returned as they are (calling their `then`
 * could start lazy work twice), the span then ends when the function returns.
 */
import { context, trace as api, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { reportError } from '../guard';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (this: any, ...args: any[]) => any;

export interface TraceWrapper {
  /** Wraps a function. */
  <F extends AnyFunction>(fn: F): F;
  /** Standard class-method decorator. */
  <F extends AnyFunction>(method: F, context: ClassMethodDecoratorContext): F;
  /** Legacy (experimentalDecorators) method decorator. */
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

export function trace(name: string, attributes?: Attributes): TraceWrapper {
  const attrs = attributes === undefined ? undefined : { ...attributes };
  return function wrapper(first: unknown, second?: unknown, third?: unknown): unknown {
    if (typeof first === 'function') return wrap(first as AnyFunction, name, attrs);
    const descriptor = third as PropertyDescriptor | undefined;
    if (second !== undefined && descriptor && typeof descriptor.value === 'function') {
      descriptor.value = wrap(descriptor.value as AnyFunction, name, attrs);
      return descriptor;
    }
    throw new TypeError(`otelkit trace('${name}') wraps a function or decorates a method`);
  } as TraceWrapper;
}

/** Runs fn(span) inside a span named `name` and returns its result (see trace()). */
export function traceBlock<T>(name: string, attributes: Attributes | undefined, fn: (span: Span) => T): T {
  return run(name, attributes === undefined ? undefined : { ...attributes }, fn);
}

function wrap<F extends AnyFunction>(fn: F, name: string, attrs: Attributes | undefined): F {
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    return run(name, attrs, () => fn.apply(this, args));
  };
  Object.defineProperty(traced, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(traced, 'length', { value: fn.length, configurable: true });
  return traced as unknown as F;
}

function run<T>(name: string, attrs: Attributes | undefined, invoke: (span: Span) => T): T {
  let span: Span;
  try {
    span = api.getTracer('otelkit').startSpan(name, { kind: SpanKind.INTERNAL, attributes: attrs });
  } catch (err) {
    reportError('otelkit trace()', err);
    return invoke(api.wrapSpanContext(INVALID_SPAN_CONTEXT));
  }
  let result: T;
  try {
    result = context.with(api.setSpan(context.active(), span), invoke, undefined, span);
  } catch (err) {
    fail(span, err);
    throw err;
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        end(span);
        return value;
      },
      (err: unknown) => {
        fail(span, err);
        throw err;
      },
    ) as T;
  }
  end(span);
  return result;
}

function end(span: Span): void {
  try {
    span.end();
  } catch (err) {
    reportError('otelkit trace()', err);
  }
}

function fail(span: Span, err: unknown): void {
  try {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  } catch (e) {
    reportError('otelkit trace()', e);
  }
  end(span);
}
