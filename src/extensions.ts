/**
 * OTELKIT_EXTENSIONS: modules, resolved from the application's directory, that add to what
 * otelkit builds without a change to the app's code. A module exports (as module.exports
 * or its default export) any of
 *   - an Instrumentation, or an array of them;
 *   - an object with the additions of start(): { instrumentations, spanProcessors,
 *     metricReaders, views, resourceAttributes };
 *   - a function returning one of those.
 * A module that cannot be loaded, or throws, costs one warning; the app runs.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { Additions } from './sdk';
import { componentLogger } from './diag';
import { appRequire } from './health/app-require';

const log = componentLogger('otelkit:extensions');

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function loadExtensions(modules: readonly string[], appDir: string): Additions {
  if (modules.length === 0) return {};
  const requireFromApp = appRequire(appDir);
  const parts: Additions[] = [];
  for (const id of modules) {
    try {
      parts.push(asAdditions(requireFromApp(id), id));
    } catch (err) {
      log.warn(`OTELKIT_EXTENSIONS: ${id} could not be loaded (${(err as Error).message}); it was left out.`);
    }
  }
  return mergeAdditions(parts);
}

function asAdditions(exported: unknown, id: string): Additions {
  let value = exported as { default?: unknown } | undefined;
  if (value && typeof value === 'object' && 'default' in value && value.default !== undefined) value = value.default as typeof value;
  if (typeof value === 'function' && !isInstrumentation(value)) value = (value as () => typeof value)();
  if (isInstrumentation(value)) return { instrumentations: [value] };
  if (Array.isArray(value)) return { instrumentations: value as Instrumentation[] };
  if (value && typeof value === 'object') return value as Additions;
  throw new Error(`${id} exports ${typeof value}, not an instrumentation or an object of additions`);
}

function isInstrumentation(value: unknown): value is Instrumentation {
  return typeof value === 'object' && value !== null && typeof (value as Instrumentation).enable === 'function'
    && typeof (value as Instrumentation).instrumentationName === 'string';
}

/** Additions laid end to end (resource attributes: later wins). */
export function mergeAdditions(parts: readonly Additions[]): Additions {
  const out: Mutable<Additions> = {};
  for (const part of parts) {
    if (part.instrumentations) out.instrumentations = [...(out.instrumentations ?? []), ...part.instrumentations];
    if (part.spanProcessors) out.spanProcessors = [...(out.spanProcessors ?? []), ...part.spanProcessors];
    if (part.metricReaders) out.metricReaders = [...(out.metricReaders ?? []), ...part.metricReaders];
    if (part.views) out.views = [...(out.views ?? []), ...part.views];
    if (part.resourceAttributes) out.resourceAttributes = { ...out.resourceAttributes, ...part.resourceAttributes };
  }
  return out;
}
