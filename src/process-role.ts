/**
 * Is this process the service, or a tool that starts it? A preload in NODE_OPTIONS reaches
 * every Node process below the shell: `npm start` runs npm itself under it, then the app;
 * nodemon, cross-env, tsx and PM2 do the same. otelkit must start in the app only, or the
 * wrapper takes the admin port and reports a service that serves nothing.
 *
 * The rule looks at the script the process runs (process.argv[1], symlinks resolved) and
 * the package that script belongs to, before anything else is loaded:
 *   - a script of a package manager, script runner or watcher (WRAPPERS) is a wrapper;
 *   - PM2's CLI and daemon are wrappers, its containers (ProcessContainer*.js, which load
 *     the app in the same process) are the service; ts-node-dev's and node-dev's wrap.js too;
 *   - anything else is the service. `node --watch` needs no rule: its parent never loads
 *     preloads.
 * OTELKIT_PROCESS_ROLE=service or =wrapper overrides the rule (config.ts).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type ProcessRole =
  | { readonly kind: 'service' }
  | { readonly kind: 'wrapper'; readonly tool: string };

export type RoleSetting = 'auto' | 'service' | 'wrapper';

/** Package name → the tool it is; `service` lists the files of that package that run the app in-process. */
interface Wrapper {
  readonly tool: string;
  readonly service?: RegExp;
}

export const WRAPPERS: Readonly<Record<string, Wrapper>> = {
  npm: { tool: 'npm' },
  yarn: { tool: 'yarn' },
  '@yarnpkg/cli-dist': { tool: 'yarn' },
  pnpm: { tool: 'pnpm' },
  corepack: { tool: 'corepack' },
  'cross-env': { tool: 'cross-env' },
  'dotenv-cli': { tool: 'dotenv' },
  'env-cmd': { tool: 'env-cmd' },
  concurrently: { tool: 'concurrently' },
  'npm-run-all': { tool: 'npm-run-all' },
  'npm-run-all2': { tool: 'npm-run-all' },
  nodemon: { tool: 'nodemon' },
  tsx: { tool: 'tsx' },
  'ts-node-dev': { tool: 'ts-node-dev', service: /^wrap\.js$/ },
  'node-dev': { tool: 'node-dev', service: /^wrap\.js$/ },
  pm2: { tool: 'pm2', service: /^ProcessContainer(Fork)?(Bun)?\.js$/ },
};

/** Scripts recognised by name when no package.json names them (a copied npm, Yarn's release file). */
const BY_NAME: readonly (readonly [RegExp, string])[] = [
  [/^npm-cli\.js$/, 'npm'],
  [/^npx-cli\.js$/, 'npx'],
  [/^yarn(-\d[\w.-]*)?\.c?js$/, 'yarn'],
  [/^pnpm\.c?js$/, 'pnpm'],
];

const SERVICE: ProcessRole = Object.freeze({ kind: 'service' });

/** Reads the name of the nearest package.json above `dir` (a parameter for the tests). */
export type PackageNameOf = (dir: string) => string | undefined;

export function processRole(setting: RoleSetting, argv: readonly string[] = process.argv, packageNameOf: PackageNameOf = nearestPackageName): ProcessRole {
  if (setting === 'service') return SERVICE;
  if (setting === 'wrapper') return { kind: 'wrapper', tool: 'OTELKIT_PROCESS_ROLE=wrapper' };
  const script = argv[1];
  if (script === undefined || script === '' || script.startsWith('-')) return SERVICE;
  const file = realFile(script);
  const name = basename(file);
  const wrapper = WRAPPERS[packageNameOf(dirname(file)) ?? ''];
  if (wrapper !== undefined) return wrapper.service?.test(name) ? SERVICE : { kind: 'wrapper', tool: wrapper.tool };
  for (const [pattern, tool] of BY_NAME) if (pattern.test(name)) return { kind: 'wrapper', tool };
  return SERVICE;
}

function realFile(script: string): string {
  const absolute = resolve(script);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * The name in the nearest package.json, looking at most 6 directories up and never past a
 * node_modules folder (a package's files are at most a few levels below its root).
 */
export function nearestPackageName(start: string): string | undefined {
  let dir = start;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      // A nested package.json without a name ({"type": "module"} in dist/) is not the package's root.
      if (typeof pkg?.name === 'string') return pkg.name;
    } catch {
      // none here (or unreadable): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir || basename(parent) === 'node_modules') return undefined;
    dir = parent;
  }
  return undefined;
}

/**
 * A worker of Node's cluster module (PM2's cluster mode included). Node drops
 * NODE_UNIQUE_ID from the environment before preloads run, but has loaded its cluster
 * module in every worker: asking costs nothing there, and only IPC children are asked.
 */
export function isClusterWorker(): boolean {
  return clusterWorkerId() !== undefined;
}

/** The cluster module's id of this worker (1, 2, …), or undefined outside a cluster worker. */
export function clusterWorkerId(): number | undefined {
  if (typeof process.send !== 'function') return undefined;
  const cluster = require('node:cluster') as { readonly isWorker: boolean; readonly worker?: { readonly id: number } };
  return cluster.isWorker ? cluster.worker?.id : undefined;
}
