/**
 * Database and cache drivers are the application's: they are resolved from the
 * application's directory, never bundled with otelkit, and their absence is not an error.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The module as the app would load it, or undefined when the app does not have it. */
export function requireFromApp<T>(appDir: string, id: string): T | undefined {
  const req = createRequire(join(appDir, 'noop.js'));
  let resolved: string;
  try {
    resolved = req.resolve(id);
  } catch {
    return undefined;
  }
  return req(resolved) as T;
}
