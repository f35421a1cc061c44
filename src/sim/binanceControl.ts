/**
 * The live control messages of Binance market-data WebSockets, server side:
 * `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY` and
 * `GET_PROPERTY ["combined"]`, answered as Binance answers them
 * (`{"result":null,"id":1}`, or `{"error":{"code":2,"msg":...},"id":1}`).
 */
import { ControlRequestSchema } from '../pipeline/feeds/binance/schema.js';

/** The per-connection state control messages act on. */
export type ControlTarget = {
  /** Subscribed stream names (instrument part lower case). */
  streams: Set<string>;
  /** Combined-envelope payloads (true on `/stream`, false on `/ws`). */
  combined: boolean;
};

/** Lower-cases the instrument part of a stream name (`BTCUSDT@aggTrade` → `btcusdt@aggTrade`). */
export function normaliseStream(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at).toLowerCase() + name.slice(at);
}

function error(code: number, msg: string, id: unknown): string {
  return JSON.stringify({ error: { code, msg }, id: id ?? null });
}

/** Applies one control message to `target` and returns the reply text. */
export function handleControl(text: string, target: ControlTarget): string {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    return error(3, `Invalid JSON: ${(e as Error).message}`, null);
  }
  const parsed = ControlRequestSchema.safeParse(msg);
  const id = typeof msg === 'object' && msg !== null ? (msg as { id?: unknown }).id : null;
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path[0];
    if (path === 'method') return error(2, 'Invalid request: unknown variant, expected one of SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY', id);
    if (path === 'id') return error(2, 'Invalid request: request ID must be an unsigned integer', id);
    return error(2, 'Invalid request: bad params', id);
  }
  const req = parsed.data;
  const params = req.params ?? [];
  switch (req.method) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (!params.every((p): p is string => typeof p === 'string')) return error(1, 'Invalid value type: expected string', req.id);
      for (const p of params) {
        if (req.method === 'SUBSCRIBE') target.streams.add(normaliseStream(p));
        else target.streams.delete(normaliseStream(p));
      }
      return JSON.stringify({ result: null, id: req.id });
    }
    case 'LIST_SUBSCRIPTIONS':
      return JSON.stringify({ result: [...target.streams], id: req.id });
    case 'SET_PROPERTY': {
      if (params[0] !== 'combined') return error(0, 'Unknown property', req.id);
      if (typeof params[1] !== 'boolean') return error(1, 'Invalid value type: expected Boolean', req.id);
      target.combined = params[1];
      return JSON.stringify({ result: null, id: req.id });
    }
    case 'GET_PROPERTY':
      if (params[0] !== 'combined') return error(0, 'Unknown property', req.id);
      return JSON.stringify({ result: target.combined, id: req.id });
  }
}
