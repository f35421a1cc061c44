/**
 * Canonical form and hash of a request's parameters: JSON with object keys
 * sorted at every level, no whitespace, `undefined` members dropped, and
 * numbers as JavaScript prints them. Two parameter sets hash alike exactly
 * when they would execute alike.
 */
import { createHash } from 'node:crypto';

/** Canonical JSON text of a JSON-like value (sorted keys, no whitespace). Rejects non-finite numbers. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`non-finite number ${value} has no canonical form`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`value of type ${typeof value} has no canonical form`);
}

/** SHA-256 (hex) of the canonical form of `{ kind, params }`: what an approval is bound to. */
export function paramsHash(kind: string, params: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(canonicalJson({ kind, params })).digest('hex');
}
