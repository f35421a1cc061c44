// Module hooks for running @modelcontextprotocol/conformance on Node 20: its CLI imports `globSync`
// from 'fs' (Node 22+) at load time, though only its tier-check command calls it. For that package
// only, 'fs' resolves to node:fs plus a globSync that explains itself when called.
const SHIM =
  'data:text/javascript,' +
  encodeURIComponent(
    "export * from 'node:fs'; import fs from 'node:fs'; export default fs; " +
      "export const globSync = fs.globSync ?? (() => { throw new Error('fs.globSync needs Node 22 (conformance tier-check)'); });",
  );

export async function resolve(specifier, context, next) {
  if ((specifier === 'fs' || specifier === 'node:fs') && context.parentURL?.includes('/@modelcontextprotocol/conformance/')) {
    return { url: SHIM, shortCircuit: true };
  }
  return next(specifier, context);
}
