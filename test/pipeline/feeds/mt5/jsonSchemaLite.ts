/**
 * A tiny JSON Schema (2020-12) validator for the subset the MT5 bridge
 * contract uses: type, const, enum, properties, required, items / prefixItems,
 * min/maxItems, minimum / maximum / exclusiveMinimum, min/maxLength, oneOf,
 * anyOf, allOf, if/then and local `$ref`s. Returns the first violation found,
 * or null when the value conforms. Test-only; no dependency.
 */
type Schema = Record<string, unknown> | boolean;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const t = typeOf(v);
  return want === t || (want === 'number' && t === 'integer');
}

function resolve(root: Record<string, unknown>, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`only local refs: ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
  if (node === undefined) throw new Error(`dangling ref ${ref}`);
  return node as Schema;
}

/** Validates `value` against `schema` (resolving refs in `root`); the first violation, or null. */
export function validate(root: Record<string, unknown>, value: unknown, schema: Schema = root, path = '$'): string | null {
  if (schema === true) return null;
  if (schema === false) return `${path}: not allowed`;
  const s = schema;
  const known = new Set(['$schema', '$id', '$ref', '$defs', 'title', 'description', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties', 'items', 'prefixItems', 'minItems', 'maxItems', 'minimum', 'maximum', 'exclusiveMinimum', 'minLength', 'maxLength', 'oneOf', 'anyOf', 'allOf', 'if', 'then']);
  for (const k of Object.keys(s)) if (!known.has(k)) throw new Error(`validator does not know keyword ${k} at ${path}`);
  if (typeof s.$ref === 'string') {
    const r = validate(root, value, resolve(root, s.$ref), path);
    if (r) return r;
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(t, value))) return `${path}: expected ${types.join('|')}, got ${typeOf(value)}`;
  }
  if ('const' in s && value !== s.const) return `${path}: expected ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum) && !s.enum.includes(value)) return `${path}: not one of ${JSON.stringify(s.enum)}`;
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return `${path}: below ${s.minimum}`;
    if (typeof s.maximum === 'number' && value > s.maximum) return `${path}: above ${s.maximum}`;
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) return `${path}: not above ${s.exclusiveMinimum}`;
  }
  if (typeof value === 'string') {
    const n = [...value].length;
    if (typeof s.minLength === 'number' && n < s.minLength) return `${path}: shorter than ${s.minLength}`;
    if (typeof s.maxLength === 'number' && n > s.maxLength) return `${path}: longer than ${s.maxLength}`;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return `${path}: fewer than ${s.minItems} items`;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return `${path}: more than ${s.maxItems} items`;
    const prefix = (s.prefixItems as Schema[] | undefined) ?? [];
    for (let i = 0; i < value.length; i++) {
      const sub = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
      if (sub === undefined) continue;
      const r = validate(root, value[i], sub, `${path}[${i}]`);
      if (r) return r;
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const req of (s.required as string[] | undefined) ?? []) if (!(req in obj)) return `${path}: missing ${req}`;
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      const sub = props[k] ?? (s.additionalProperties as Schema | undefined);
      if (sub === undefined) continue;
      const r = validate(root, v, sub, `${path}.${k}`);
      if (r) return r;
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const sub of s.allOf as Schema[]) {
      const r = validate(root, value, sub, path);
      if (r) return r;
    }
  }
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => validate(root, value, sub, path) === null)) return `${path}: matches no anyOf branch`;
  if (Array.isArray(s.oneOf)) {
    const results = (s.oneOf as Schema[]).map((sub) => validate(root, value, sub, path));
    const ok = results.filter((r) => r === null).length;
    if (ok !== 1) return ok === 0 ? `${path}: matches no oneOf branch (${results.filter((r) => r !== null).slice(0, 3).join('; ')})` : `${path}: matches ${ok} oneOf branches`;
  }
  if (s.if !== undefined && validate(root, value, s.if as Schema, path) === null && s.then !== undefined) {
    const r = validate(root, value, s.then as Schema, path);
    if (r) return r;
  }
  return null;
}
