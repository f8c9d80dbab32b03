/**
 * Database and cache drivers are the application's: they are resolved from the
 * application's directory, never bundled with otelkit, and their absence is not an error.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** A require as the app's own code in `appDir` would call it. */
export function appRequire(appDir: string): NodeRequire {
  return createRequire(join(appDir, 'noop.js'));
}

/** The module as the app would load it, or undefined when the app does not have it. */
export function requireFromApp<T>(appDir: string, id: string): T | undefined {
  const req = appRequire(appDir);
  let resolved: string;
  try {
    resolved = req.resolve(id);
  } catch {
    return undefined;
  }
  return req(resolved) as T;
}
