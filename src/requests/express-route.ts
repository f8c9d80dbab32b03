/**
 * The route template of an Express request, read from Express itself when the response
 * finishes: `req.route.path` is the matched route; routers mounted under a pattern
 * (`app.use('/t/:tenant', router)`) leave only the matched text in `req.baseUrl`
 * (`/t/acme`), so the mount patterns are found again in the app's router stack (Express 5
 * keeps each layer's pattern as `rawPath`). Where no pattern is found (Express 4), the base
 * URL is templated like a route-less path, so a tenant id never becomes part of a name.
 * Express 5's Layer#match returns what it matched without changing the layer.
 */
import type { IncomingMessage } from 'node:http';
import { templateOf } from './route-template';

interface Layer {
  readonly rawPath?: unknown;
  readonly slash?: boolean;
  readonly handle?: { readonly stack?: readonly Layer[] };
  match?(path: string): false | { readonly path?: unknown; readonly pattern?: unknown } | boolean;
}
interface ExpressRequest extends IncomingMessage {
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: unknown;
  readonly app?: { readonly router?: { readonly stack?: readonly Layer[] }; readonly _router?: { readonly stack?: readonly Layer[] } };
}

const MAX_DEPTH = 8;

export function expressRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl, app } = req as ExpressRequest;
  if (route === undefined || typeof route.path !== 'string') return undefined;
  if (typeof baseUrl !== 'string' || baseUrl === '') return route.path;
  const stack = app?.router?.stack ?? app?._router?.stack;
  const base = (stack && mountPattern(stack, baseUrl, 0)) ?? templateOf(baseUrl) ?? '';
  return base + route.path;
}

/** The patterns of the routers that consumed `path`, joined; undefined when none fits. */
function mountPattern(stack: readonly Layer[], path: string, depth: number): string | undefined {
  if (path === '') return '';
  if (depth >= MAX_DEPTH) return undefined;
  for (const layer of stack) {
    const inner = layer.handle?.stack;
    if (inner === undefined || typeof layer.match !== 'function') continue;
    if (layer.slash) {
      // A router mounted at "/" consumes nothing; routers inside it may carry the pattern.
      const rest = mountPattern(inner, path, depth + 1);
      if (rest !== undefined) return rest;
      continue;
    }
    const found = layer.match(path);
    // Express 4's match returns a boolean and keeps its result on the layer: not used.
    if (typeof found !== 'object' || typeof found.path !== 'string' || typeof found.pattern !== 'string') continue;
    if (!path.startsWith(found.path)) continue;
    const rest = mountPattern(inner, path.slice(found.path.length), depth + 1);
    if (rest !== undefined) return found.pattern + rest;
  }
  return undefined;
}
