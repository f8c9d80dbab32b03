/**
 * Instrumentations of installed packages the app has not loaded yet, and of Node's own
 * modules (`net`, `dns`, `http`), are built when the app first requires or imports one of
 * their modules: the name is seen before the module is loaded (a require wrapper, or Node's
 * resolve hook under --import), the instrumentation is built and registered there, and
 * OpenTelemetry's require and import hooks then patch the module as it loads. An app that
 * never loads Koa never loads the Koa instrumentation: each costs 2–6 ms of start-up, and
 * the net instrumentation's `tls` another ~9 ms (docs/ARCHITECTURE.md).
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

/** Set by `--import otelkit/register` once OpenTelemetry's ES-module hook is registered. */
export const kEsmHook = Symbol.for('otelkit.esmHook');

type Require = (this: unknown, id: string) => unknown;
interface ModuleClass { prototype: { require: Require } }

/**
 * Watches for the modules of `entries`; `build` makes and registers the instrumentation.
 * Returns the function that stops watching, or undefined when Node has no in-thread hooks
 * (then the caller builds them all now).
 *
 * An app started with `--require` loads its packages through `Module.prototype.require`,
 * which is wrapped (as require-in-the-middle does): a Map lookup per require. Only under
 * `--import`, where packages arrive through the ES-module loader too, Node's resolve hook is
 * used: with a hook registered, Node turns every CommonJS resolution into URLs and back,
 * ~0.1 ms per module the app loads (docs/ARCHITECTURE.md).
 */
export function buildOnFirstLoad(entries: readonly CatalogueEntry[], build: (entry: CatalogueEntry) => Instrumentation | undefined): (() => void) | undefined {
  const registerHooks = (nodeModule as ModuleHooks).registerHooks;
  if (entries.length === 0) return undefined;
  const waiting = new Map<string, CatalogueEntry>();
  const namesOf = (entry: CatalogueEntry) => [...entry.modules, ...(entry.builtins ?? [])];
  for (const entry of entries) for (const m of namesOf(entry)) waiting.set(m, entry);
  /** Builds the instrumentation of the package (or Node module) `specifier` names, if one waits for it. */
  const seen = (specifier: unknown): boolean => {
    if (waiting.size === 0 || typeof specifier !== 'string') return false;
    // "node:dns/promises" → "dns"
    const name = packageOf(specifier.startsWith('node:') ? specifier.slice(5) : specifier);
    const entry = name === undefined ? undefined : waiting.get(name);
    if (entry === undefined) return false;
    for (const m of namesOf(entry)) waiting.delete(m);
    try {
      build(entry);
    } catch (err) {
      reportError(`instrumentation ${entry.name}`, err);
    }
    return true;
  };
  if ((globalThis as Record<symbol, unknown>)[kEsmHook] !== true) return watchRequire(seen);
  if (typeof registerHooks !== 'function') return undefined;
  const resolve: ResolveHook = (specifier, context, next) => {
    seen(specifier);
    return next(specifier, context);
  };
  const hooks = registerHooks({ resolve });
  return () => hooks.deregister();
}

function watchRequire(seen: (specifier: unknown) => boolean): () => void {
  const proto = (nodeModule as unknown as { Module: ModuleClass }).Module.prototype;
  const inner = proto.require;
  let watching = true;
  const wrapped: Require = function (this: unknown, id: string) {
    // The instrumentation just built may have wrapped require itself (require-in-the-middle
    // does, the first time one is enabled): the module then loads through that wrapper.
    if (watching && seen(id) && proto.require !== wrapped) return proto.require.call(this, id);
    return inner.call(this, id);
  };
  proto.require = wrapped;
  return () => {
    watching = false;
    if (proto.require === wrapped) proto.require = inner;
  };
}
