/** What `--require otelkit/register` and `--import otelkit/register` run. */
import { startIn } from './start';
import { componentLogger } from './diag';

export function startFromPreload(mode: 'require' | 'import'): void {
  const instance = startIn({}, true);
  if (instance && mode === 'require' && instance.app.isEsm) {
    componentLogger('otelkit').warn(
      `${instance.app.entry} is an ES module started with --require: the CommonJS packages it imports ` +
      '(express, pg, ioredis, … in their CommonJS builds) are instrumented, packages it loads as ES modules are not. ' +
      `To instrument those too, start it with --import otelkit/register.`,
    );
  }
}
