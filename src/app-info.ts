/**
 * What otelkit knows about the application it was preloaded into: its entry file, the
 * directory modules resolve from, its package.json name/version and its module type.
 * Read once, synchronously, at start (before the app runs); never afterwards.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

export interface AppInfo {
  readonly entry: string | undefined;
  readonly dir: string;
  readonly name: string | undefined;
  readonly version: string | undefined;
  /** The entry file is an ES module (.mjs, or .js under "type": "module"). */
  readonly isEsm: boolean;
}

export function readAppInfo(argv: readonly string[] = process.argv, cwd: string = process.cwd()): AppInfo {
  const entry = argv[1] ? resolve(cwd, argv[1]) : undefined;
  const dir = entry ? dirname(entry) : cwd;
  const pkg = nearestPackage(dir);
  const ext = entry ? extname(entry) : '';
  const isEsm = ext === '.mjs' || ((ext === '.js' || ext === '') && pkg?.type === 'module');
  return Object.freeze({ entry, dir, name: pkg?.name, version: pkg?.version, isEsm });
}

interface PackageJson {
  name?: string;
  version?: string;
  type?: string;
}

function nearestPackage(start: string): PackageJson | undefined {
  for (let dir = start, i = 0; i < 20; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      if (pkg && typeof pkg === 'object') return pkg;
    } catch {
      // not here (or unreadable): keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
