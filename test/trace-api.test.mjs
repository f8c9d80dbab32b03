// trace() and traceBlock(): spans around functions, standard TypeScript decorators,
// errors recorded and rethrown unchanged, `this` and return values untouched, and a
// plain pass-through before any tracer provider exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';
import { trace as api, context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { trace, traceBlock } from '../dist/src/index.js';
import { ROOT } from './helpers/app.mjs';
import { tracing } from './helpers/tracing.mjs';

const ERROR = 2;

test('before any tracer provider is registered, wrappers simply run the function', async () => {
  const obj = { v: 1 };
  assert.equal(trace('noop')(() => obj)(), obj);
  assert.equal(await trace('noop-async')(async () => obj)(), obj);
  assert.equal(traceBlock('noop-block', undefined, () => obj), obj);
});

const { provider, exporter } = tracing([]);
api.setGlobalTracerProvider(provider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spans = (name) => exporter.getFinishedSpans().filter((s) => s.name === name);

test('a sync function: arguments, this and the return value pass through; attributes recorded', () => {
  const result = {};
  const self = { tag: 'me' };
  let active;
  const fn = trace('get_user_profile', { user_type: 'premium' })(function (a, b) {
    assert.equal(this, self);
    active = api.getActiveSpan()?.spanContext().spanId;
    return Object.assign(result, { sum: a + b });
  });
  assert.equal(fn.call(self, 2, 3), result);
  assert.equal(result.sum, 5);
  const [span] = spans('get_user_profile');
  assert.equal(active, span.spanContext().spanId, 'the span is active inside the function');
  assert.equal(span.attributes.user_type, 'premium');
  assert.equal(span.status.code, 0);
  assert.equal(span.kind, 0);
});

test('a sync throw: same error object rethrown, exception event and ERROR status on the span', () => {
  const boom = new RangeError('sync boom');
  const fn = trace('sync_fail')(() => {
    throw boom;
  });
  assert.throws(() => fn(), (err) => err === boom);
  const [span] = spans('sync_fail');
  assert.equal(span.status.code, ERROR);
  assert.equal(span.status.message, 'sync boom');
  assert.equal(span.events[0].name, 'exception');
  assert.equal(span.events[0].attributes['exception.type'], 'RangeError');
});

test('an async function: the span lasts until settlement; value and rejection are the same objects', async () => {
  const value = { ok: true };
  const slow = trace('async_ok')(async () => {
    await new Promise((r) => setTimeout(r, 30));
    return value;
  });
  assert.equal(await slow(), value);
  const [span] = spans('async_ok');
  const ms = span.duration[0] * 1e3 + span.duration[1] / 1e6;
  assert.ok(ms >= 25, `span lasted ${ms} ms`);
  const boom = new Error('async boom');
  const failing = trace('async_fail')(async () => {
    await new Promise((r) => setTimeout(r, 1));
    throw boom;
  });
  await assert.rejects(failing(), (err) => err === boom);
  assert.equal(spans('async_fail')[0].status.code, ERROR);
});

test('traceBlock runs the block in a span that is the parent of spans started inside it', () => {
  const inner = trace('inner_step')(() => 'x');
  const out = traceBlock('outer_block', { step: 1 }, (span) => {
    assert.equal(typeof span.setAttribute, 'function');
    span.setAttribute('extra', true);
    return inner() + 'y';
  });
  assert.equal(out, 'xy');
  const [outer] = spans('outer_block');
  const [child] = spans('inner_step');
  assert.equal(child.parentSpanContext?.spanId, outer.spanContext().spanId);
  assert.equal(outer.attributes.step, 1);
  assert.equal(outer.attributes.extra, true);
});

test('@trace on class methods with TypeScript 5 standard decorators', async () => {
  const source = `
    import { trace } from ${JSON.stringify(`${ROOT}dist/src/index.js`)};
    export class Service {
      factor = 3;
      @trace('Service.compute', { tier: 'gold' })
      compute(x: number): number { return x * this.factor; }
      @trace('Service.load')
      async load(id: string): Promise<{ id: string }> {
        await new Promise((r) => setTimeout(r, 5));
        if (id === 'bad') throw new TypeError('no such id');
        return { id };
      }
    }`;
  const { outputText, diagnostics } = ts.transpileModule(source, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, experimentalDecorators: false },
  });
  assert.deepEqual(diagnostics, []);
  assert.match(outputText, /__esDecorate/, 'compiled as standard (TC39) decorators');
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-deco-'));
  writeFileSync(join(dir, 'service.cjs'), outputText);
  const { Service } = createRequire(import.meta.url)(join(dir, 'service.cjs'));
  const svc = new Service();
  assert.equal(svc.compute(5), 15, 'this is the instance');
  assert.deepEqual(await svc.load('a'), { id: 'a' });
  await assert.rejects(svc.load('bad'), TypeError);
  assert.equal(spans('Service.compute')[0].attributes.tier, 'gold');
  const loads = spans('Service.load');
  assert.equal(loads.length, 2);
  assert.deepEqual(loads.map((s) => s.status.code).sort(), [0, ERROR]);
});
