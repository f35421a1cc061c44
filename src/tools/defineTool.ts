import type * as z from 'zod';
import type { ToolContext } from './context.js';

/** Who may call a tool: `read` is always served; `write` only when writes are enabled and approved. */
export type ToolScope = 'read' | 'write';

/** MCP tool annotations, stated explicitly for every tool. */
export type ToolAnnotations = Readonly<{
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}>;

/**
 * A transport-neutral tool: defined once, served over MCP (stdio and HTTP)
 * and the REST API by thin adapters. `input` and `output` are zod objects with
 * a description on every field; the handler returns the structured output.
 */
export type ToolDefinition<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> = Readonly<{
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations: ToolAnnotations;
  scope: ToolScope;
  handler: (args: z.infer<I>, ctx: ToolContext, call?: ToolCall) => z.infer<O> | Promise<z.infer<O>>;
  /** Extra MCP `_meta` of the tool (e.g. `ui.resourceUri` of an MCP App); transports that have no such notion ignore it. */
  meta?: Readonly<Record<string, unknown>>;
}>;

/** A human's answer to a confirmation question asked through the client (MCP elicitation). */
export type Confirmation = Readonly<{ action: 'accept' | 'decline' | 'cancel'; content?: Readonly<Record<string, unknown>> }>;

/**
 * What the transport knows about one call, beyond its arguments. Every member
 * is optional: REST calls and clients without the capability get none of them,
 * so a tool must work without any.
 */
export type ToolCall = Readonly<{
  /** Reports progress of a long read when the client asked for it (MCP progress notifications); absent otherwise. */
  progress?: (progress: number, total?: number, message?: string) => Promise<void>;
  /** Asks the human at the client a question (MCP elicitation, only on connections whose client declared it). Never relied on. */
  confirm?: (message: string, schema: Readonly<Record<string, unknown>>) => Promise<Confirmation>;
  /** Identifies the connection (MCP session id) when the transport has one. */
  sessionId?: string;
  /** Aborted when the client cancels the call. */
  signal?: AbortSignal;
}>;

/** Annotations of a read-only market tool (reads live exchange data, so open world). */
export const READ_ONLY_MARKET: ToolAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: true,
};

/** Declares a tool; the identity function that gives the handler its types. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(definition: ToolDefinition<I, O>): ToolDefinition<I, O> {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(definition.name)) {
    throw new Error(`tool name ${definition.name} must be snake_case, at most 64 characters, no dots`);
  }
  return definition;
}
