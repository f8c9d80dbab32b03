/**
 * Instrumentations of installed packages the app has not loaded yet are built when the app
 * first requires or imports one of their modules: a resolve hook (Node's in-thread module
 * hooks, registerHooks) sees the bare specifier before the module is loaded, builds and
 * registers the instrumentation there, and OpenTelemetry's require and import hooks then
 * patch the module as it loads. An app that never loads Koa never loads the Koa
 * instrumentation: each costs 2–6 ms of start-up (docs/ARCHITECTURE.md).
 */
import * as nodeModule from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { CatalogueEntry } from './catalogue';
import { reportError } from '../guard';

type ResolveHook = (specifier: string, context: unknown, next: (specifier: string, context?: unknown) => unknown) => unknown;
interface ModuleHooks {
  registerHooks?(hooks: { resolve: ResolveHook }): { deregister(): void };
}

/** The package a bare specifier names: "pg" → "pg", "@redis/client/dist/x" → "@redis/client". */
export function packageOf(specifier: string): string | undefined {
  const first = specifier.charCodeAt(0);
  if (first === 46 /* . */ || first === 47 /* / */ || specifier.startsWith('node:') || specifier.includes(':')) return undefined;
  const parts = specifier.split('/', 2);
  return first === 64 /* @ */ ? (parts.length === 2 ? `${parts[0]}/${parts[1]}` : undefined) : parts[0];
}

/**
 * Watches for the modules of `entries`; `build` makes and registers the instrumentation.
 * Returns the function that stops watching, or undefined when Node has no in-thread hooks
 * (then the caller builds them all now).
 */
export function buildOnFirstLoad(entries: readonly CatalogueEntry[], build: (entry: CatalogueEntry) => Instrumentation | undefined): (() => void) | undefined {
  const registerHooks = (nodeModule as ModuleHooks).registerHooks;
  if (entries.length === 0 || typeof registerHooks !== 'function') return undefined;
  const waiting = new Map<string, CatalogueEntry>();
  for (const entry of entries) for (const m of entry.modules) waiting.set(m, entry);
  let hooks: { deregister(): void } | undefined;
  const resolve: ResolveHook = (specifier, context, next) => {
    if (waiting.size > 0) {
      const name = packageOf(specifier);
      const entry = name === undefined ? undefined : waiting.get(name);
      if (entry !== undefined) {
        for (const m of entry.modules) waiting.delete(m);
        try {
          build(entry);
        } catch (err) {
          reportError(`instrumentation ${entry.name}`, err);
        }
      }
    }
    return next(specifier, context);
  };
  hooks = registerHooks({ resolve });
  return () => hooks?.deregister();
}
