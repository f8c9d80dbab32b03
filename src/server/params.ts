/** Query-parameter parsing for admin routes: a bad value is a 400 reply, never a guess. */
import { jsonError, type Reply } from './router';

export interface IntParam {
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

/** The integer value of ?name=, its default when absent, or a 400 reply. */
export function intParam(query: URLSearchParams, name: string, spec: IntParam): number | Reply {
  const raw = query.get(name);
  if (raw === null || raw === '') return spec.default;
  if (!/^\d{1,9}$/.test(raw)) return badParam(name, `must be a whole number from ${spec.min} to ${spec.max}`);
  const n = Number(raw);
  if (n < spec.min || n > spec.max) return badParam(name, `must be from ${spec.min} to ${spec.max}`);
  return n;
}

/** The string value of ?name= (undefined when absent or empty), or a 400 reply when too long. */
export function stringParam(query: URLSearchParams, name: string, maxLength: number): string | undefined | Reply {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw.length > maxLength) return badParam(name, `must be at most ${maxLength} characters`);
  return raw;
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value;
}

function badParam(name: string, rule: string): Reply {
  return jsonError(400, 'bad_request', `Query parameter ${name} ${rule}.`);
}
