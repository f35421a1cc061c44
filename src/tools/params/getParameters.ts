import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { diffParameters } from './diff.js';
import type { ParameterSetView } from './view.js';

/** Answer of get_parameters when parameters are not versioned in this server. */
export const PARAMETERS_NOT_VERSIONED = 'trading parameters are not versioned in this server';

const iso = (ms: number): string => new Date(ms).toISOString();

const versionSummary = z.object({
  version: z.number().int().describe('Version number, rising with every change, rollback and automatic rollback'),
  createdAt: z.string().describe('When the version took effect, ISO 8601 UTC'),
  createdBy: z.string().describe('Who caused it: default, approval:<requestId>, cli, rollback or auto-rollback'),
  reason: z.string().describe('Why it was made (for a change: the request and what changed; for an automatic rollback: the failed health check)'),
  active: z.boolean().describe('True for the version in effect (always the highest)'),
  parent: z.number().int().nullable().describe('The version in effect before this one, null for the first'),
});

const versionFull = versionSummary.extend({
  params: z.record(z.string(), z.unknown()).describe('The full parameter set: sections dtms, exits and risk'),
});

const LIST_LIMIT = 50;

function summary(v: ParameterSetView): z.infer<typeof versionSummary> {
  return { version: v.version, createdAt: iso(v.createdAt), createdBy: v.createdBy, reason: v.reason, active: v.active, parent: v.parent };
}

function full(v: ParameterSetView): z.infer<typeof versionFull> {
  return { ...summary(v), params: { ...v.params } };
}

/** The versioned DTMS, exits and risk parameters: the version in effect, the history, one version and a field-level diff. */
export const getParameters = defineTool({
  name: 'get_parameters',
  title: 'Trading parameters',
  description:
    'Versioned DTMS, intelligent-exits and risk parameters: the version in effect with its full parameter set, the latest versions (every change, ' +
    'rollback and automatic rollback is a new version), one version in full (`version`), and a field-level diff (`diffFrom` to `version`, or to the ' +
    'version in effect). Changing parameters is set_parameters, which a human must approve.',
  input: z.object({
    version: z.number().int().min(1).optional().describe('A version to show in full; omit for the version in effect'),
    diffFrom: z.number().int().min(1).optional().describe('Show the changes from this version to `version` (or to the version in effect)'),
  }),
  output: z.object({
    available: z.boolean().describe('False when parameters are not versioned in this server'),
    reason: z.string().nullable().describe('Why something asked for is not available (unknown version), null otherwise'),
    current: versionFull.nullable().describe('The version in effect, with its parameters'),
    selected: versionFull.nullable().describe('The version asked for with `version`, null when none was asked or it does not exist'),
    versions: z.array(versionSummary).describe(`The latest versions, newest first (at most ${LIST_LIMIT})`),
    diff: z
      .object({
        from: z.number().int().describe('Version compared from'),
        to: z.number().int().describe('Version compared to'),
        changes: z
          .array(z.object({ path: z.string().describe('Dotted field path, e.g. dtms.breakevenR'), from: z.unknown().describe('Value in `from`'), to: z.unknown().describe('Value in `to`') }))
          .describe('Every field that differs; empty when the two sets are equal'),
      })
      .nullable()
      .describe('Field-level diff when `diffFrom` was given and both versions exist, else null'),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  scope: 'read',
  handler: (args, ctx) => {
    const p = ctx.parameters;
    if (!p) return { available: false, reason: PARAMETERS_NOT_VERSIONED, current: null, selected: null, versions: [], diff: null };
    const current = p.current();
    const missing: string[] = [];
    const selected = args.version === undefined ? null : p.get(args.version);
    if (args.version !== undefined && selected === null) missing.push(`version ${args.version} does not exist`);
    let diff: { from: number; to: number; changes: { path: string; from: unknown; to: unknown }[] } | null = null;
    if (args.diffFrom !== undefined) {
      const from = p.get(args.diffFrom);
      if (from === null) missing.push(`version ${args.diffFrom} does not exist`);
      const to = args.version === undefined ? current : selected;
      if (from !== null && to !== null) diff = { from: from.version, to: to.version, changes: diffParameters(from.params, to.params) };
    }
    return {
      available: true,
      reason: missing.length > 0 ? missing.join('; ') : null,
      current: full(current),
      selected: selected === null ? null : full(selected),
      versions: p.list(LIST_LIMIT).map(summary),
      diff,
    };
  },
});
