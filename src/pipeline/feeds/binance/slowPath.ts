/**
 * The general frame parser: `JSON.parse` plus the zod schemas. Slower than the
 * fast path but handles every frame; it decides the frame's kind and validates
 * its shape, leaving symbol lookup and value checks to the mapper.
 */
import { drop, type ControlOutcome, type DropOutcome } from './mapOutcome.js';
import {
  AggTradeSchema,
  BookTickerSchema,
  CombinedEnvelopeSchema,
  ControlErrorSchema,
  ControlReplySchema,
  KlineSchema,
  ServerShutdownSchema,
  TradeSchema,
  parseStreamName,
  type AggTradeEvent,
  type BookTickerEvent,
  type KlineEvent,
  type StreamKind,
  type TradeEvent,
} from './schema.js';

/** A frame parsed and validated by shape. `instrument` is lowercase, from the stream name or `s`. */
export type ParsedFrame =
  | DropOutcome
  | ControlOutcome
  | { kind: 'shutdown'; E: number }
  | { kind: 'event'; instrument: string; stream: string | null; event: AggTradeEvent | TradeEvent | BookTickerEvent | KlineEvent };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Kind of a bare (non-combined) event: by `e`, or a spot bookTicker by its fields. */
export function rawEventKind(e: unknown, hasU: boolean, hasB: boolean): StreamKind {
  if (e === 'aggTrade' || e === 'trade' || e === 'bookTicker') return e;
  if (e === 'kline') return 'kline';
  if (e === undefined && hasU && hasB) return 'bookTicker';
  return 'other';
}

function issue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const first = error.issues[0];
  return first ? `${first.path.map(String).join('.') || '(root)'}: ${first.message}` : 'invalid';
}

function control(obj: Record<string, unknown>): ControlOutcome | DropOutcome {
  if ('error' in obj) {
    const err = ControlErrorSchema.safeParse(obj);
    if (!err.success) return drop('schema_mismatch', `control error: ${issue(err.error)}`);
    const { code, msg } = err.data.error;
    return { kind: 'control', id: err.data.id ?? null, result: null, error: { code, msg } };
  }
  const reply = ControlReplySchema.safeParse(obj);
  if (!reply.success) return drop('schema_mismatch', `control reply: ${issue(reply.error)}`);
  return { kind: 'control', id: reply.data.id, result: reply.data.result, error: null };
}

/** Parses and shape-checks one frame (combined or raw). Never throws. */
export function parseFrame(raw: string): ParsedFrame {
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch (error) {
    return drop('invalid_json', (error as Error).message);
  }
  if (!isObject(obj)) return drop('schema_mismatch', 'frame is not a JSON object');
  let stream: string | null = null;
  let data: Record<string, unknown> = obj;
  if ('stream' in obj) {
    const env = CombinedEnvelopeSchema.safeParse(obj);
    if (!env.success || !isObject(env.data.data)) return drop('schema_mismatch', 'bad combined envelope');
    stream = env.data.stream;
    data = env.data.data;
  } else if ('result' in obj || 'error' in obj) {
    return control(obj);
  }
  if (data.e === 'serverShutdown') {
    const shut = ServerShutdownSchema.safeParse(data);
    return shut.success ? { kind: 'shutdown', E: shut.data.E } : drop('schema_mismatch', issue(shut.error));
  }
  const named = stream === null ? null : parseStreamName(stream);
  const kind = named ? named.kind : rawEventKind(data.e, 'u' in data, 'b' in data);
  if (kind === 'other') return drop('unknown_stream', stream ?? `event ${JSON.stringify(data.e)}`);
  const schema =
    kind === 'aggTrade' ? AggTradeSchema : kind === 'trade' ? TradeSchema : kind === 'bookTicker' ? BookTickerSchema : KlineSchema;
  const parsed = schema.safeParse(data);
  if (!parsed.success) return drop('schema_mismatch', `${kind}: ${issue(parsed.error)}`);
  const event = parsed.data;
  return { kind: 'event', instrument: named ? named.instrument : event.s.toLowerCase(), stream, event };
}
