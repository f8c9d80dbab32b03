/**
 * Recent errors of several processes as one list: grouped by fingerprint (counts added,
 * first and last seen over all, the latest occurrence's message, route and ids), most
 * recently seen first, at most MAX_ERRORS like one process's store.
 */
import { MAX_ERRORS, type ErrorJson } from '../errors/store';

export function mergeErrors(lists: readonly (readonly ErrorJson[])[]): ErrorJson[] {
  const byFingerprint = new Map<string, ErrorJson>();
  for (const list of lists) {
    for (const e of list) {
      const seen = byFingerprint.get(e.fingerprint);
      if (seen === undefined) {
        byFingerprint.set(e.fingerprint, { ...e });
        continue;
      }
      const latest = e.last_seen > seen.last_seen ? e : seen;
      byFingerprint.set(e.fingerprint, {
        ...latest,
        count: seen.count + e.count,
        first_seen: e.first_seen < seen.first_seen ? e.first_seen : seen.first_seen,
      });
    }
  }
  return [...byFingerprint.values()].sort((a, b) => (a.last_seen < b.last_seen ? 1 : a.last_seen > b.last_seen ? -1 : 0)).slice(0, MAX_ERRORS);
}
