/**
 * Which ES modules import-in-the-middle wraps under `--import otelkit/register`: only the
 * modules an instrumentation patches. Left to itself it wraps every module the app imports,
 * its own files included, and a wrapped module's exports are copies: an `export let` the
 * module later reassigns reads as its first value in the importer (a live binding lost),
 * and each wrap costs start-up (an app of 300 modules re-exporting one another started
 * 3.4 s later; docs/PERFORMANCE.md).
 *
 * The names come from the instrumentations as they are registered (getModuleDefinitions),
 * and from the catalogue for those built when their package is first loaded. An
 * instrumentation that does not list its modules makes every module wrapped again.
 */
import { isBuiltin } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { packageOf } from './deferred';

const names = new Set<string>();
let everything = false;

/** Modules named here are wrapped from now on (package names, or Node's modules without "node:"). */
export function wrapModules(list: readonly string[]): void {
  for (const name of list) names.add(name.startsWith('node:') ? name.slice(5) : name);
}

/** The modules an instrumentation patches are wrapped; all modules when it does not say which. */
export function wrapModulesOf(instrumentation: Instrumentation): void {
  const definitions = (instrumentation as { getModuleDefinitions?: () => unknown }).getModuleDefinitions?.();
  if (!Array.isArray(definitions)) {
    everything = true;
    return;
  }
  wrapModules(definitions.map((d: { name?: unknown }) => d?.name).filter((n): n is string => typeof n === 'string'));
}

/**
 * import-in-the-middle's `shouldInclude(url, specifier)`: a bare specifier by its package,
 * Node's modules by name, any other URL by the package folder it lies in (a patched
 * package's own files, which instrumentations may hook too).
 */
export function shouldWrap(url: string, specifier: string): boolean {
  if (everything) return true;
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return names.has(specifier.replace(/^node:/, ''));
  const name = packageOf(specifier);
  if (name !== undefined && (names.has(name) || names.has(specifier))) return true;
  const at = url.lastIndexOf('/node_modules/');
  if (at !== -1) {
    const inPackage = packageOf(url.slice(at + 14));
    return inPackage !== undefined && names.has(inPackage);
  }
  return url.startsWith('file:') && names.has(fileURLToPath(url));
}

/**
 * The names as a list, for the loader-thread hook (module.register), which takes data, not
 * a function; undefined when every module is wrapped.
 */
export function wrappedModules(): string[] | undefined {
  return everything ? undefined : [...names].map((name) => (isAbsolute(name) ? pathToFileURL(name).href : name));
}
