import { InvalidRequestError } from '../../core/index.js';

/** Lowest timestamp bound used when a query gives no `from`. */
export const MIN_TS = Number.MIN_SAFE_INTEGER;

/** Highest timestamp bound used when a query gives no `to`. */
export const MAX_TS = Number.MAX_SAFE_INTEGER;

/** Validates a row limit of a query: a non-negative integer. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidRequestError(`limit must be a non-negative integer, got ${limit}`);
  return limit;
}

/** Parses a stored JSON object column; a corrupt value reads as `{ _raw: text }` rather than failing the query. */
export function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return { value };
  } catch {
    return { _raw: text };
  }
}
