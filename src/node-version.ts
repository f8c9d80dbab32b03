/**
 * What the preload checks before anything else of otelkit loads: OTEL_SDK_DISABLED, the
 * Node.js otelkit needs (the floor of OpenTelemetry JS SDK 3); then Node's compile cache
 * is turned on for what loads next. Written so that it runs on any Node: an older one gets
 * one line and an uninstrumented app.
 */
import * as nodeModule from 'node:module';

export const MIN_NODE = '22.15.0';

export function isSupported(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

/**
 * OTEL_SDK_DISABLED read as src/config.ts reads a boolean: when it is set, the preload loads
 * nothing at all (the app that imports otelkit still gets its logger then).
 */
export function disabledByEnvironment(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['true', '1', 'yes', 'on'].includes(String(env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase());
}

/** True when otelkit can start here; otherwise prints why not, once. */
export function supportedNode(): boolean {
  if (!isSupported()) {
    process.stderr.write(`otelkit: needs Node.js >= ${MIN_NODE} (this is ${process.versions.node}); the application runs uninstrumented.\n`);
    return false;
  }
  // The compile cache keeps V8's compiled code of every module loaded from here on (otelkit,
  // OpenTelemetry and the app's own) in Node's cache directory; NODE_DISABLE_COMPILE_CACHE=1
  // turns it off, NODE_COMPILE_CACHE chooses the directory.
  try {
    nodeModule.enableCompileCache?.();
  } catch {
    // a cache that cannot be written only means modules compile as usual
  }
  return true;
}
