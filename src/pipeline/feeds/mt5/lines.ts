import { EaMessageSchema, MT5_PROTOCOL_VERSION, type EaMessage } from './schema.js';

/** One line from the terminal: a valid message, or why it was refused. */
export type LineOutcome = { ok: true; msg: EaMessage } | { ok: false; reason: string; detail: string };

/**
 * Validates one line at the bridge boundary: JSON, an object, protocol
 * version 1, a known `type`, and the zod schema of that type. Never throws;
 * the reason names the first thing wrong (`bad_json`, `not_an_object`,
 * `bad_version`, `unknown_type`, `schema`).
 */
export function parseEaLine(line: string): LineOutcome {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: 'bad_json', detail: error instanceof Error ? error.message : '' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'not_an_object', detail: '' };
  const parsed = EaMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, msg: parsed.data };
  const issue = parsed.error.issues[0];
  const detail = `${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`;
  if ((json as { v?: unknown }).v !== MT5_PROTOCOL_VERSION) return { ok: false, reason: 'bad_version', detail };
  return { ok: false, reason: issue?.code === 'invalid_union' ? 'unknown_type' : 'schema', detail };
}
