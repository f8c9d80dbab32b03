/**
 * @opentelemetry/api is a peer dependency: the application and otelkit must share one copy,
 * or spans the app makes with its own copy are silently non-recording. At start, the copy
 * otelkit resolves must be in the range the SDK accepts, and the copy the application
 * resolves must be the same one; otherwise one line names both versions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRequire } from './health/app-require';

/** The @opentelemetry/api versions the SDK line otelkit runs on accepts (>=1.10.0 <1.11.0). */
export const API_RANGE = { major: 1, minor: 10 } as const;

interface Found {
  readonly version: string;
  readonly path: string;
}

const PACKAGE_DIR = /^(.*[\\/]node_modules[\\/]@opentelemetry[\\/]api)[\\/]/;

/** The package does not export its package.json: it is found next to its entry file. */
function find(req: NodeRequire): Found | undefined {
  try {
    const dir = PACKAGE_DIR.exec(req.resolve('@opentelemetry/api'))?.[1];
    if (dir === undefined) return undefined;
    const path = join(dir, 'package.json');
    return { version: (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version, path };
  } catch {
    return undefined;
  }
}

export function inRange(version: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major === API_RANGE.major && minor === API_RANGE.minor;
}

export interface ApiProblem {
  readonly message: string;
  /** The SDK cannot run with this API: otelkit does not start. */
  readonly fatal: boolean;
}

/** undefined when all is well; otherwise the one line to print. */
export function checkApi(appDir: string, ours: Found | undefined = find(require)): ApiProblem | undefined {
  const want = `>=${API_RANGE.major}.${API_RANGE.minor}.0 <${API_RANGE.major}.${API_RANGE.minor + 1}.0`;
  if (ours === undefined) {
    return { fatal: true, message: `@opentelemetry/api is not installed; otelkit needs ${want} (npm install @opentelemetry/api@~1.10); the application runs uninstrumented.` };
  }
  if (!inRange(ours.version)) {
    return { fatal: true, message: `@opentelemetry/api ${ours.version} is installed; otelkit needs ${want} (npm install @opentelemetry/api@~1.10); the application runs uninstrumented.` };
  }
  const app = find(appRequire(appDir));
  if (app !== undefined && app.path !== ours.path && app.version !== ours.version) {
    // The API accepts a global registered by the same major and an equal or later minor.
    const [appMajor, appMinor] = app.version.split('.').map(Number);
    const [ourMajor, ourMinor] = ours.version.split('.').map(Number);
    const recorded = appMajor === ourMajor && appMinor <= ourMinor;
    return {
      fatal: false,
      message: `the application resolves @opentelemetry/api ${app.version} and otelkit ${ours.version}: ` +
        (recorded ? 'both share the global registration, but keep one copy (npm dedupe).' : `spans made with ${app.version} are not recorded; install @opentelemetry/api@${ours.version}.`),
    };
  }
  return undefined;
}
