// The request context answers the public API exactly like contexts built with setValue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { requestContext } = require('../../dist/src/requests/context.js');
const { getRequestId } = require('../../dist/src/requests/request-id.js');
const api = require('@opentelemetry/api');
const core = require('@opentelemetry/core');

test('span, RPC metadata and request id are read back through the public API', () => {
  const span = api.trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 });
  const rpc = { type: core.RPCType.HTTP, span };
  const parentKey = api.createContextKey('test parent value');
  const parent = api.ROOT_CONTEXT.setValue(parentKey, 'from-parent');
  const ctx = requestContext(parent, span, rpc, 'req-1');
  assert.equal(api.trace.getSpan(ctx), span);
  assert.equal(core.getRPCMetadata(ctx), rpc);
  assert.equal(getRequestId(ctx), 'req-1');
  assert.equal(ctx.getValue(parentKey), 'from-parent');

  // Values set and deleted later behave like BaseContext: new contexts, old ones unchanged.
  const child = api.trace.setSpan(ctx, api.trace.wrapSpanContext({ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16), traceFlags: 1 }));
  assert.equal(api.trace.getSpan(child).spanContext().spanId, 'c'.repeat(16));
  assert.equal(api.trace.getSpan(ctx), span);
  assert.equal(getRequestId(child), 'req-1');
  const deleted = child.deleteValue(parentKey);
  assert.equal(deleted.getValue(parentKey), undefined);
  assert.equal(child.getValue(parentKey), 'from-parent');
  assert.equal(api.trace.getSpan(api.trace.deleteSpan(child)), undefined);
});
