/** What `--require otelkit/register` and `--import otelkit/register` run. */
import { start } from './start';
import { componentLogger } from './diag';

export function startFromPreload(mode: 'require' | 'import'): void {
  const instance = start();
  if (instance && mode === 'require' && instance.app.isEsm) {
    componentLogger('otelkit').warn(
      `${instance.app.entry} is an ES module started with --require: its imports cannot be instrumented. ` +
      'Start it with: node --import otelkit/register ' + (process.argv[1] ?? 'app.mjs'),
    );
  }
}
