/**
 * Finds the series of an attribute set without building a key for it. The SDK sorts the
 * keys and JSON-serialises the set on every measurement, then hashes and compares that
 * fresh string; instrumentations pass the same keys in the same order with the same values
 * (mostly constant strings) call after call, so here the set is looked up by those keys
 * and values themselves, one Map level each, in the order given.
 *
 * The same set in another key order is the same series: a new path is checked against the
 * canonical (sorted) form once, when the path is first seen. At most `limit` series are kept
 * (the SDK's default cardinality limit); further sets share one overflow series, and once
 * the paths outnumber the series well past the limit no more are remembered.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

/** The SDK's default cardinality limit: series kept per instrument before the overflow series. */
export const CARDINALITY_LIMIT = 2000;

/** The attribute set of the series that sets past the cardinality limit share (as in the SDK). */
export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

class PathNode<T> {
  readonly next = new Map<unknown, PathNode<T>>();
  item: T | undefined;
}

export class AttributeIndex<T> {
  private readonly root = new PathNode<T>();
  private readonly canonical = new Map<string, T>();
  private paths = 0;
  private overflow: T | undefined;

  constructor(
    private readonly create: (attributes: Attributes) => T,
    private readonly limit = CARDINALITY_LIMIT,
  ) {}

  get(attributes: Attributes): T {
    let node: PathNode<T> | undefined = this.root;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      node = node.next.get(key)?.next.get(pathValue(value));
      if (node === undefined) return this.add(attributes);
    }
    return node.item ?? this.add(attributes);
  }

  /** One entry per distinct attribute set, then the overflow entry if it was used. */
  values(): T[] {
    const all = [...this.canonical.values()];
    if (this.overflow !== undefined) all.push(this.overflow);
    return all;
  }

  private add(attributes: Attributes): T {
    const key = canonicalKey(attributes);
    let item = this.canonical.get(key);
    if (item === undefined) {
      if (this.canonical.size >= this.limit) return (this.overflow ??= this.create(OVERFLOW_ATTRIBUTES));
      item = this.create(copyDefined(attributes));
      this.canonical.set(key, item);
    }
    if (this.paths < this.limit * 4) {
      this.paths++;
      let node = this.root;
      for (const key in attributes) {
        const value = attributes[key];
        if (value === undefined) continue;
        node = child(child(node, key), pathValue(value));
      }
      node.item = item;
    }
    return item;
  }
}

function child<T>(node: PathNode<T>, key: unknown): PathNode<T> {
  let next = node.next.get(key);
  if (next === undefined) node.next.set(key, (next = new PathNode<T>()));
  return next;
}

/** Strings, numbers and booleans are their own Map keys; arrays by their content. */
function pathValue(value: AttributeValue): unknown {
  return typeof value === 'object' ? `\u0000${JSON.stringify(value)}` : value;
}

function copyDefined(attributes: Attributes): Attributes {
  const copy: Attributes = {};
  for (const key in attributes) if (attributes[key] !== undefined) copy[key] = attributes[key];
  return copy;
}

function canonicalKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).filter((k) => attributes[k] !== undefined).sort().map((k) => [k, attributes[k]]));
}
