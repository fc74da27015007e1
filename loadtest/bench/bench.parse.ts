// The bench's command-line values, checked: a bad one is a usage error (exit 2, with the usage), never a late failure.

export class BenchUsageError extends Error {}

export type Raw = Record<string, string | boolean | undefined>;

export const intOf = (raw: Raw, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
  const v = raw[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new BenchUsageError(`--${name} must be a whole number in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return n;
};

export const numOf = (raw: Raw, name: string): number | undefined => {
  const v = raw[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
    throw new BenchUsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  }
  return n;
};
