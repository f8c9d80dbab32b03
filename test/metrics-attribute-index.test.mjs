// src/metrics/attribute-index.ts: the series of an attribute set, found without building a
// key per measurement (the instrumentations' counters and histograms, summed-meter.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { AttributeIndex } = require('../dist/src/metrics/attribute-index.js');

const counting = (limit) => new AttributeIndex((attributes) => ({ attributes, n: 0 }), limit);

test('one series per attribute set, whatever the key order; undefined values are absent', () => {
  const index = counting();
  index.get({ state: 'used', pool: 'a' }).n++;
  index.get({ pool: 'a', state: 'used' }).n++;
  index.get({ state: 'used', pool: 'a', extra: undefined }).n++;
  index.get({ state: 'idle', pool: 'a' }).n++;
  const series = index.values();
  assert.equal(series.length, 2);
  assert.deepEqual(series.map((s) => [s.attributes, s.n]), [[{ state: 'used', pool: 'a' }, 3], [{ state: 'idle', pool: 'a' }, 1]]);
});

test('values of different types and arrays by content are distinct series', () => {
  const index = counting();
  for (const value of [1, '1', true, 'true', [1, 2], [1, 2], [2, 1]]) index.get({ v: value }).n++;
  assert.deepEqual(index.values().map((s) => [s.attributes.v, s.n]), [[1, 1], ['1', 1], [true, 1], ['true', 1], [[1, 2], 2], [[2, 1], 1]]);
});

test('the series keeps a copy: the caller may reuse or change its object', () => {
  const index = counting();
  const attributes = { route: '/a' };
  index.get(attributes).n++;
  attributes.route = '/b';
  index.get(attributes).n++;
  assert.deepEqual(index.values().map((s) => s.attributes.route), ['/a', '/b']);
});

test('past the cardinality limit further sets share one overflow series', () => {
  const index = counting(3);
  for (let i = 0; i < 10; i++) index.get({ id: i }).n++;
  index.get({ id: 1 }).n++; // a kept set still finds its own series
  const series = index.values();
  assert.equal(series.length, 4);
  assert.deepEqual(series.slice(0, 3).map((s) => [s.attributes.id, s.n]), [[0, 1], [1, 2], [2, 1]]);
  assert.deepEqual(series[3].attributes, { 'otel.metric.overflow': true });
  assert.equal(series[3].n, 7);
});
