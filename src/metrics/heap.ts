/** The V8 heap limit. node:v8 is loaded on first use (a sample or a scrape), not at start. */
let v8: typeof import('node:v8') | undefined;

export function heapLimitBytes(): number {
  v8 ??= require('node:v8') as typeof import('node:v8');
  return v8.getHeapStatistics().heap_size_limit;
}
