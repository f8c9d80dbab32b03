/** Parsers for the value shapes winston-daily-rotate-file understands, shared by config and logging. */

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i;
const UNIT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** '500m' → bytes; undefined when malformed or zero. */
export function parseSize(raw: string): number | undefined {
  const m = SIZE.exec(raw.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNIT[m[2].toLowerCase()]);
  return bytes > 0 ? bytes : undefined;
}

/** '30d' → { days: 30 }, '10' → { files: 10 }; undefined when malformed. */
export function parseRetention(raw: string): { days: number } | { files: number } | undefined {
  const m = /^(\d+)(d?)$/i.exec(raw.trim());
  if (!m || Number(m[1]) <= 0) return undefined;
  return m[2] ? { days: Number(m[1]) } : { files: Number(m[1]) };
}
