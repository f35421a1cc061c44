import * as z from 'zod';
import type { ToolDefinition } from '../../tools/index.js';
import { ENHANCED_ENDPOINTS } from './rest.js';

type Json = Record<string, unknown>;

/**
 * A tool schema (JSON Schema 2020-12 from zod) as an OpenAPI 3.1 component:
 * `$schema` dropped, local `$defs` hoisted into `components.schemas` under
 * `<prefix>_<def>` and their `$ref`s rewritten, so refs resolve from the
 * document root.
 */
function toComponent(schema: Json, prefix: string, components: Json): Json {
  const { $schema: _drop, $defs, ...rest } = schema as Json & { $defs?: Record<string, Json> };
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? `#/components/schemas/${prefix}_${v.slice('#/$defs/'.length)}` : rewrite(v);
    }
    return out;
  };
  for (const [name, def] of Object.entries($defs ?? {})) components[`${prefix}_${name}`] = rewrite(def);
  return rewrite(rest) as Json;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: Json): Json => ({ 'application/json': { schema } });
const errorResponse = (description: string): Json => ({ description, content: jsonContent(ref('Error')) });

/** Query parameters of a GET: one per input property, required as the input says. */
function queryParameters(input: Json, skip: readonly string[] = []): Json[] {
  const props = (input.properties ?? {}) as Record<string, Json>;
  const required = new Set((input.required ?? []) as string[]);
  return Object.entries(props)
    .filter(([name]) => !skip.includes(name))
    .map(([name, schema]) => {
      const { description, ...rest } = schema;
      const type = rest.type;
      const complex = type === 'object' || (type === 'array' && typeof (rest.items as Json | undefined)?.type === 'object');
      return {
        name,
        in: 'query',
        required: required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        ...(complex ? { content: jsonContent(rest) } : { schema: rest, ...(type === 'array' ? { style: 'form', explode: true } : {}) }),
      };
    });
}

/** Answers every tool operation may give besides 200. */
function commonResponses(extra: Record<string, Json> = {}): Record<string, Json> {
  return {
    '400': { description: 'Invalid arguments (zod issues) or a domain error', content: jsonContent(ref('Error')) },
    '401': errorResponse('Missing or invalid bearer token (when a token is configured)'),
    '403': errorResponse('Host or Origin not allowed'),
    '429': errorResponse('Rate limit exceeded; see Retry-After'),
    '500': errorResponse('Unexpected failure'),
    ...extra,
  };
}

/** Document options: title and the server URL to advertise. */
export type OpenApiOptions = Readonly<{ title?: string; version: string; serverUrl?: string }>;

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same tool
 * definitions the transports serve: each read-only tool as `GET
 * /api/tools/<name>` (input properties as query parameters) and every tool as
 * `POST /api/tools/<name>` (input as JSON body); write tools are POST only.
 * The plan's `/api/enhanced/...` endpoints take the symbol from the path. Each
 * tool's output schema is the 200 response schema. Also `/health`,
 * `/metrics` and this document.
 */
export function buildOpenApiDocument(tools: readonly ToolDefinition[], options: OpenApiOptions): Json {
  const schemas: Json = {
    Error: {
      type: 'object',
      properties: {
        error: { type: 'string', description: 'What was wrong' },
        issues: { type: 'array', items: { type: 'string' }, description: 'Validation issues as "field: message"' },
        zodIssues: { type: 'array', items: { type: 'object' }, description: 'Validation issues as zod reports them (code, path, message)' },
      },
      required: ['error'],
    },
    Health: {
      type: 'object',
      properties: {
        status: { enum: ['ok', 'degraded'] },
        ok: { type: 'boolean' },
        name: { type: 'string' },
        version: { type: 'string' },
        checkedAt: { type: 'string', format: 'date-time' },
        components: {
          type: 'array',
          items: { type: 'object', properties: { name: { type: 'string' }, status: { enum: ['ok', 'degraded', 'down'] }, reason: { type: 'string' } }, required: ['name', 'status', 'reason'] },
        },
      },
      required: ['status', 'ok', 'components'],
    },
  };
  const paths: Json = {};
  const inputs = new Map<string, Json>();
  for (const tool of tools) {
    const input = toComponent(z.toJSONSchema(tool.input, { io: 'input', target: 'draft-2020-12' }) as Json, `${tool.name}_input`, schemas);
    const output = toComponent(z.toJSONSchema(tool.output, { io: 'output', target: 'draft-2020-12' }) as Json, `${tool.name}_output`, schemas);
    schemas[`${tool.name}_input`] = input;
    schemas[`${tool.name}_output`] = output;
    inputs.set(tool.name, input);
    const readOnly = tool.scope === 'read' && tool.annotations.readOnlyHint;
    const ok = { description: tool.title, content: jsonContent(ref(`${tool.name}_output`)) };
    const base = { tags: [readOnly ? 'read' : 'write'], summary: tool.title, description: tool.description, 'x-mcp-annotations': tool.annotations };
    const item: Json = {};
    if (readOnly) {
      item.get = { ...base, operationId: tool.name, parameters: queryParameters(input), responses: { '200': ok, ...commonResponses() } };
    }
    item.post = {
      ...base,
      operationId: `${tool.name}_post`,
      ...(readOnly ? {} : { description: `${tool.description}\n\nCreates a pending request that a human must approve out of band; never executes on its own.` }),
      requestBody: { required: false, content: jsonContent(ref(`${tool.name}_input`)) },
      responses: { '200': ok, ...commonResponses({ '413': errorResponse('Request body larger than the configured limit') }) },
    };
    paths[`/api/tools/${tool.name}`] = item;
  }
  for (const e of ENHANCED_ENDPOINTS) {
    const tool = tools.find((t) => t.name === e.tool);
    const input = inputs.get(e.tool);
    if (!tool || !input) continue;
    const symbol = ((input.properties ?? {}) as Record<string, Json>).symbol ?? { type: 'string' };
    const { description, ...symbolSchema } = symbol;
    paths[`/api/enhanced/${e.path}/{symbol}`] = {
      get: {
        tags: ['enhanced'],
        operationId: `enhanced_${e.path.replace(/-/g, '_')}`,
        summary: `${tool.title} (plan endpoint)`,
        description: `${tool.description}\n\nServed by the tool ${tool.name}, the same definition as over MCP.`,
        parameters: [{ name: 'symbol', in: 'path', required: true, ...(typeof description === 'string' ? { description } : {}), schema: symbolSchema }, ...queryParameters(input, ['symbol'])],
        responses: { '200': { description: tool.title, content: jsonContent(ref(`${tool.name}_output`)) }, ...commonResponses({ '404': errorResponse('Unknown symbol') }) },
      },
    };
  }
  paths['/health'] = {
    get: {
      tags: ['operations'],
      operationId: 'health',
      summary: 'Per-component health',
      responses: { '200': { description: 'Every component ok', content: jsonContent(ref('Health')) }, '503': { description: 'At least one component degraded or down', content: jsonContent(ref('Health')) } },
    },
  };
  paths['/metrics'] = {
    get: {
      tags: ['operations'],
      operationId: 'metrics',
      summary: 'Prometheus metrics (text format 0.0.4)',
      responses: { '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
  };
  paths['/openapi.json'] = {
    get: { tags: ['operations'], operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document', content: jsonContent({ type: 'object' }) } } },
  };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: options.title ?? 'UTP HTTP API',
      version: options.version,
      description: 'The REST face of the Unified Tick Pipeline: the same tool definitions as the MCP server at /mcp. Read tools over GET; write tools only over POST, and only as pending requests a human approves.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [
      { name: 'read', description: 'Read-only tools' },
      { name: 'write', description: 'Write tools (served only when writes are enabled; each call creates a pending approval)' },
      { name: 'enhanced', description: 'The plan endpoints' },
      { name: 'operations', description: 'Health, metrics and this document' },
    ],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Required when the server is configured with a token (always off loopback)' } } },
    security: [{ bearer: [] }, {}],
  };
}
