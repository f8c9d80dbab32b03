/** What `--require otelkit/register` and `--import otelkit/register` run. */
import { startIn } from './start';
import { componentLogger } from './diag';
import { kEsmHook } from './instrumentations/deferred';
import { shouldWrap, wrappedModules } from './instrumentations/esm-filter';

/** import-in-the-middle's loader hooks, as register.mts finds them. */
export interface EsmHooks {
  /** Its in-thread hook (register-hooks.mjs), when that could be imported. */
  readonly sync: { supportsSyncHooks(): boolean; register(options: object): void } | undefined;
  /** Registers its loader-thread hook (module.register) with the data given. */
  readonly registerAsync: (data: object) => void;
}

const log = componentLogger('otelkit');

export function startFromPreload(mode: 'require' | 'import', esm?: EsmHooks): void {
  if (mode === 'import' && esm !== undefined) {
    startWithEsmHook(esm);
    return;
  }
  const instance = startIn({}, true);
  if (instance && instance.app.isEsm) {
    log.warn(
      `${instance.app.entry} is an ES module started with --require: the CommonJS packages it imports ` +
      '(express, pg, ioredis, … in their CommonJS builds) are instrumented, packages it loads as ES modules are not. ' +
      `To instrument those too, start it with --import otelkit/register.`,
    );
  }
}

/**
 * Where Node runs module hooks in the application's thread (22.22.3+, 24.11.1+), the hook
 * is registered before otelkit starts and asks esm-filter.ts about each module as it comes;
 * on a loader thread it takes a list, so it is registered once otelkit has started and the
 * instrumentations are known.
 */
function startWithEsmHook(esm: EsmHooks): void {
  const global = globalThis as Record<symbol, unknown>;
  const inThread = esm.sync?.supportsSyncHooks() === true;
  try {
    if (inThread) esm.sync?.register({ shouldInclude: shouldWrap });
    // Packages now arrive through the ES-module loader too: watched with Node's resolve hook.
    global[kEsmHook] = true;
  } catch (err) {
    // otelkit's logger is not set up yet.
    process.stderr.write(`otelkit: the ES-module loader hook could not be registered (${(err as Error).message}); ES-module imports are not instrumented.\n`);
  }
  const instance = startIn({}, true);
  if (inThread || global[kEsmHook] !== true || instance === undefined) return;
  try {
    esm.registerAsync({ include: wrappedModules() });
  } catch (err) {
    log.warn(`the ES-module loader hook could not be registered (${(err as Error).message}); ES-module imports are not instrumented.`);
  }
}
