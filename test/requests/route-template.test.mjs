// Route-like names for route-less requests: ids out, bounded in number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { templateOf, createRouteTemplates } = createRequire(import.meta.url)('../../dist/src/requests/route-template.js');

test('numbers, UUIDs, long hex and long opaque tokens become :id; words stay', () => {
  const cases = {
    '/users/123': '/users/:id',
    '/users/3f2b9c1e-8d7a-4b6c-9e5f-1a2b3c4d5e6f/orders/77': '/users/:id/orders/:id',
    '/blobs/a3f9c2e81b7d4f60aa': '/blobs/:id',
    '/files/Zx81kQ2mP0rS7tUv9wYb': '/files/:id',
    '/v2/users/me': '/v2/users/me',
    '/health': '/health',
    '/': '/',
    '/api/orders/': '/api/orders/',
  };
  for (const [path, template] of Object.entries(cases)) assert.equal(templateOf(path), template, path);
  assert.equal(templateOf(`/${'a'.repeat(200)}`), undefined, 'a segment too long to be a route');
  assert.equal(templateOf('/a/b/c/d/e/f/g/h/i/j/k/l/m'), undefined, 'too deep');
  assert.equal(templateOf('*'), undefined);
});

test('at most `limit` templates; the first refusal is reported once', () => {
  let reported = 0;
  const templates = createRouteTemplates(3, () => reported++);
  assert.equal(templates.of('/a/1'), '/a/:id');
  assert.equal(templates.of('/b/2'), '/b/:id');
  assert.equal(templates.of('/c/3'), '/c/:id');
  assert.equal(templates.of('/d/4'), undefined, 'a fourth is refused');
  assert.equal(templates.of('/e/5'), undefined);
  assert.equal(templates.of('/a/99'), '/a/:id', 'known templates keep being given');
  assert.equal(reported, 1);
});
