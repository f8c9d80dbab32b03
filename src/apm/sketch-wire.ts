/**
 * A DDSketch as plain JSON, to send one process's percentiles to another and merge them
 * there (the sketch merges losslessly: the merged quantiles are within the same 1 %).
 * The library's own protobuf form needs protobufjs, which it does not depend on; this
 * form is the stores' bins as they are.
 */
import { createSketch, type Sketch } from './sketch';

export interface SketchWire {
  /** Key of the first positive bin and the counts from it on. */
  readonly offset: number;
  readonly bins: readonly number[];
  readonly negativeOffset: number;
  readonly negativeBins: readonly number[];
  readonly zeroCount: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number | null;
  readonly max: number | null;
}

interface Store {
  bins: number[];
  offset: number;
  minKey: number;
  maxKey: number;
  count: number;
  add(key: number, weight?: number): void;
}

function storeBins(store: Store): { offset: number; bins: number[] } {
  if (store.count === 0) return { offset: 0, bins: [] };
  const from = store.minKey - store.offset;
  return { offset: store.minKey, bins: store.bins.slice(from, store.maxKey - store.offset + 1) };
}

export function sketchToWire(sketch: Sketch): SketchWire {
  const positive = storeBins(sketch.store as unknown as Store);
  const negative = storeBins(sketch.negativeStore as unknown as Store);
  return {
    offset: positive.offset,
    bins: positive.bins,
    negativeOffset: negative.offset,
    negativeBins: negative.bins,
    zeroCount: sketch.zeroCount,
    count: sketch.count,
    sum: sketch.sum,
    min: Number.isFinite(sketch.min) ? sketch.min : null,
    max: Number.isFinite(sketch.max) ? sketch.max : null,
  };
}

/** Adds a wire sketch into `into` (a sketch of createSketch()'s accuracy). */
export function mergeSketchWire(into: Sketch, wire: SketchWire): void {
  const other = createSketch();
  const fill = (store: Store, offset: number, bins: readonly number[]) => {
    for (let i = 0; i < bins.length; i++) if (bins[i] > 0) store.add(offset + i, bins[i]);
  };
  fill(other.store as unknown as Store, wire.offset, wire.bins);
  fill(other.negativeStore as unknown as Store, wire.negativeOffset, wire.negativeBins);
  other.zeroCount = wire.zeroCount;
  other.count = wire.count;
  other.sum = wire.sum;
  other.min = wire.min ?? Infinity;
  other.max = wire.max ?? -Infinity;
  into.merge(other);
}
