import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { InvalidRequestError, TemporaryError, UtpError } from '../../core/index.js';
import type { ToolContext, ToolDefinition } from '../../tools/index.js';
import { describeError } from '../mcp/buildMcpServer.js';
import { BodyTooLargeError, readBody } from './limits.js';

/** What the REST adapter needs: the served tools, their context, the body limit and where internal errors go. */
export type RestOptions = Readonly<{
  tools: readonly ToolDefinition[];
  ctx: ToolContext;
  bodyLimitBytes: number;
  onError: (error: Error) => void;
}>;

/** A plan endpoint served by a tool: `/api/enhanced/<path>/{symbol}`, the symbol taken from the path. */
export type EnhancedEndpoint = Readonly<{ path: string; tool: string }>;

/** The seed plan's enhanced endpoints, each the same tool definition as over MCP. */
export const ENHANCED_ENDPOINTS: readonly EnhancedEndpoint[] = [
  { path: 'market-state', tool: 'get_market_state' },
  { path: 'multi-timeframe', tool: 'get_multi_timeframe' },
];

/** Writes a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

type JsonSchema = Readonly<Record<string, unknown>>;
const inputSchemas = new WeakMap<ToolDefinition, JsonSchema>();

/** The input JSON Schema (2020-12) of a tool, computed once per definition. */
export function inputJsonSchema(tool: ToolDefinition): JsonSchema {
  let schema = inputSchemas.get(tool);
  if (!schema) {
    schema = z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
    inputSchemas.set(tool, schema);
  }
  return schema;
}

/** JSON types a property schema admits (`type`, or the types of its `anyOf`/`oneOf` branches). */
function typesOf(schema: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!schema) return out;
  const t = schema.type;
  if (typeof t === 'string') out.add(t);
  if (Array.isArray(t)) for (const x of t) out.add(String(x));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const b of branches) for (const x of typesOf(b as JsonSchema)) out.add(x);
  }
  if (Array.isArray(schema.enum) && out.size === 0) for (const v of schema.enum) out.add(typeof v);
  return out;
}

function coerceOne(value: string, types: Set<string>): unknown {
  if ((types.has('number') || types.has('integer')) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return Number(value);
  if (types.has('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  if (types.has('null') && value === 'null' && !types.has('string')) return null;
  if (types.has('object') && !types.has('string')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Query parameters as tool arguments, typed by the tool's input JSON Schema:
 * numbers where the field admits a number (a numeric ticket stays a string
 * when the field is a string), booleans, arrays from repeated keys or commas,
 * objects from JSON. The zod schema then validates the result, exactly as
 * over MCP.
 */
export function queryArguments(params: URLSearchParams, schema: JsonSchema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Readonly<Record<string, JsonSchema>>;
  const out: Record<string, unknown> = {};
  for (const key of new Set(params.keys())) {
    const prop = props[key];
    const types = typesOf(prop);
    const values = params.getAll(key);
    if (types.has('array')) {
      const itemTypes = typesOf(prop?.items as JsonSchema | undefined);
      out[key] = values.flatMap((v) => v.split(',')).filter((v) => v !== '').map((v) => coerceOne(v, itemTypes));
    } else {
      out[key] = coerceOne(values[values.length - 1] as string, types.size === 0 ? new Set(['number', 'string']) : types);
    }
  }
  return out;
}

/** The HTTP status of a failed tool call: 400 invalid request, 503 temporary, 500 unexpected. */
export function errorStatus(error: unknown): number {
  if (error instanceof InvalidRequestError) return 400;
  if (error instanceof TemporaryError) return 503;
  if (error instanceof UtpError) return 400;
  return 500;
}

/** Validates arguments with the tool's own zod input and answers its structured output (or 400 with the zod issues). */
export async function runTool(res: ServerResponse, tool: ToolDefinition, args: unknown, options: RestOptions): Promise<void> {
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    return sendJson(res, 400, {
      error: 'invalid arguments',
      issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
      zodIssues: parsed.error.issues.map((i) => ({ code: i.code, path: i.path.map(String), message: i.message })),
    });
  }
  try {
    sendJson(res, 200, await tool.handler(parsed.data as never, options.ctx));
  } catch (error) {
    const status = errorStatus(error);
    if (status === 500) options.onError(error instanceof Error ? error : new Error(String(error)));
    sendJson(res, status, { error: describeError(error) }, status === 503 ? { 'retry-after': '1' } : {});
  }
}

/**
 * `/api/tools/{name}`: GET with query parameters for read-only tools, POST
 * with a JSON body for any served tool. A write tool is never served over GET
 * (405, Allow: POST); over POST its own handler runs, which creates a pending
 * approval, exactly as over MCP. Unknown tools answer 404.
 */
export async function handleToolRequest(req: IncomingMessage, res: ServerResponse, name: string, options: RestOptions): Promise<void> {
  const tool = options.tools.find((t) => t.name === name);
  if (!tool) return sendJson(res, 404, { error: `unknown tool "${name}"; tools: ${options.tools.map((t) => t.name).join(', ')}` });
  const readOnly = tool.scope === 'read' && tool.annotations.readOnlyHint;
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (!readOnly) {
      return sendJson(res, 405, { error: `${name} is a write tool: POST a JSON body; it creates a pending request a human must approve` }, { allow: 'POST' });
    }
    return runTool(res, tool, queryArguments(new URL(req.url ?? '/', 'http://x').searchParams, inputJsonSchema(tool)), options);
  }
  if (req.method !== 'POST') {
    return sendJson(res, 405, { error: readOnly ? 'use GET with query parameters or POST with a JSON body' : 'use POST with a JSON body' }, { allow: readOnly ? 'GET, POST' : 'POST' });
  }
  let args: unknown;
  try {
    args = parseJsonBody(await readBody(req, options.bodyLimitBytes));
  } catch (error) {
    if (error instanceof BodyTooLargeError) return sendJson(res, 413, { error: error.message }, { connection: 'close' });
    return sendJson(res, 400, { error: (error as Error).message });
  }
  return runTool(res, tool, args, options);
}

/**
 * `/api/enhanced/<endpoint>/{symbol}` (GET): the plan's endpoints, served by
 * the same tool as over MCP with the symbol from the path and the other
 * arguments from the query. An unknown symbol answers 404.
 */
export async function handleEnhanced(req: IncomingMessage, res: ServerResponse, rest: string, options: RestOptions): Promise<void> {
  const [endpointPath, rawSymbol, ...more] = rest.split('/');
  const endpoint = ENHANCED_ENDPOINTS.find((e) => e.path === endpointPath);
  const tool = endpoint ? options.tools.find((t) => t.name === endpoint.tool) : undefined;
  if (!endpoint || !tool || rawSymbol === undefined || rawSymbol === '' || more.length > 0) {
    return sendJson(res, 404, { error: `no endpoint /api/enhanced/${rest}; endpoints: ${ENHANCED_ENDPOINTS.map((e) => `/api/enhanced/${e.path}/{symbol}`).join(', ')}` });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'use GET' }, { allow: 'GET' });
  let symbol: string;
  try {
    symbol = decodeURIComponent(rawSymbol);
  } catch {
    return sendJson(res, 400, { error: 'symbol is not valid percent-encoding' });
  }
  const wanted = symbol.trim().toUpperCase();
  if (!options.ctx.symbols.some((s) => s.symbol === wanted)) {
    return sendJson(res, 404, { error: `unknown symbol "${symbol}"; valid symbols: ${options.ctx.symbols.map((s) => s.symbol).join(', ')}` });
  }
  const args = { ...queryArguments(new URL(req.url ?? '/', 'http://x').searchParams, inputJsonSchema(tool)), symbol };
  return runTool(res, tool, args, options);
}

function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
}
