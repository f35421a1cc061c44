/**
 * Field-level difference between two parameter sets, as `get_parameters` and
 * `utp params diff` show it: one change per leaf that differs (arrays are
 * compared and shown whole), in the order of the first set's keys, then the
 * keys only the second set has.
 */

/** One differing field: its dotted path and both values (undefined = absent, shown as null). */
export type ParameterChange = Readonly<{ path: string; from: unknown; to: unknown }>;

/** Every leaf of `from` and `to` that differs. */
export function diffParameters(from: unknown, to: unknown, path = ''): ParameterChange[] {
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
    return keys.flatMap((k) => diffParameters(from[k], to[k], path === '' ? k : `${path}.${k}`));
  }
  if (JSON.stringify(from) === JSON.stringify(to)) return [];
  return [{ path: path === '' ? '(root)' : path, from: from ?? null, to: to ?? null }];
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
