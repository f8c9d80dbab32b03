'use strict';
/**
 * Gives a CommonJS exports object fast properties again. The bundle (scripts/bundle.mjs)
 * runs every module that re-exports through getters — tsc's output for `export * from` and
 * `export { x } from`, the index of every OpenTelemetry package — through this once it has
 * loaded.
 *
 * Why: tsc first assigns each exported name (`exports.trace = void 0`), then redefines it
 * as a getter; turning a data property into an accessor puts the object into V8's
 * dictionary mode. From then on every `api_1.trace` or `core_1.isTracingSuppressed` read,
 * in otelkit and in the SDK alike, is a hash lookup plus a getter call that optimized code
 * cannot inline, on every span and every request.
 *
 * The copy has the same property descriptors, so getters stay live bindings. A data
 * property the module may still change is read and written through to the original object.
 * Code that held the original (a module caught in a require cycle) keeps working with it.
 */
module.exports = function fastExports(exports) {
  if (exports === null || typeof exports !== 'object' || Object.getPrototypeOf(exports) !== Object.prototype) return exports;
  const descriptors = Object.getOwnPropertyDescriptors(exports);
  for (const key of Reflect.ownKeys(descriptors)) {
    const d = descriptors[key];
    if ('value' in d && (d.writable || d.configurable)) {
      descriptors[key] = {
        get: () => exports[key],
        set: (value) => { exports[key] = value; },
        enumerable: d.enumerable,
        configurable: true,
      };
    }
  }
  // An object of its own shape: copies with the same names but other getters would share
  // V8's map transitions, and a second accessor for a name sends the object back to
  // dictionary mode.
  function Exports() {}
  Exports.prototype = Object.prototype;
  return Object.defineProperties(new Exports(), descriptors);
};
