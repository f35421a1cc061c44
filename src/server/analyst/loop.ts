import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall } from 'openai/resources/chat/completions';
import { UtpError } from '../../core/index.js';
import { toolErrorContent, toolMessageContent, type McpToolResult, type OfferedTools } from './functions.js';

/** Default cap on chat completion requests per analysis (each may call several tools). */
export const DEFAULT_MAX_ROUNDS = 8;

/** Default cap on one tool result handed to the model, characters; a larger result becomes an error asking for less. */
export const DEFAULT_MAX_TOOL_RESULT_CHARS = 200_000;

/** An analyst run that could not produce an answer; `code` says why (`analyst_max_rounds`, `analyst_no_answer`, `analyst_model`). */
export class AnalystError extends UtpError {}

/** One function call the model made and what came back. */
export type AnalystToolCall = Readonly<{
  /** The model's tool call id. */
  id: string;
  /** Function (= MCP tool) name. */
  name: string;
  /** Arguments as the model sent them, parsed; the raw text when it was not a JSON object. */
  arguments: Readonly<Record<string, unknown>> | string;
  /** Round (1-based chat completion request) that asked for it. */
  round: number;
  /** True when the call failed (server isError, unknown function, bad arguments, transport error). */
  isError: boolean;
  /** The server's structured output, null for failed calls and text-only results. */
  output: Readonly<Record<string, unknown>> | null;
  /** The error text for failed calls, else null. */
  error: string | null;
}>;

/** What one loop produced. */
export type AnalystLoopResult = Readonly<{
  /** The model's final answer. */
  text: string;
  /** Chat completion requests made. */
  rounds: number;
  toolCalls: readonly AnalystToolCall[];
  /** Model name the endpoint reported in its last answer. */
  responseModel: string;
  usage: Readonly<{ promptTokens: number; completionTokens: number }>;
  /** The whole conversation as sent to the model, final answer last. */
  messages: readonly ChatCompletionMessageParam[];
}>;

/** What the loop needs: the model endpoint, a way to call UTP tools, and the functions on offer. */
export type AnalystLoopInput = Readonly<{
  openai: OpenAI;
  model: string;
  offered: OfferedTools;
  callTool: (name: string, args: Record<string, unknown>) => Promise<McpToolResult>;
  system: string;
  user: string;
  maxRounds?: number;
  maxToolResultChars?: number;
  signal?: AbortSignal;
}>;

/**
 * The function-calling loop on the Chat Completions API: sends the
 * conversation with the offered functions, runs every function call the model
 * asks for against UTP, feeds each result back as a `tool` message, and
 * repeats until the model answers without calling a function.
 * @throws AnalystError `analyst_max_rounds` when the model still calls
 *   functions after `maxRounds` requests, `analyst_no_answer` when it stops
 *   with no text (a refusal, an empty answer).
 */
export async function runAnalystLoop(input: AnalystLoopInput): Promise<AnalystLoopResult> {
  const maxRounds = input.maxRounds ?? DEFAULT_MAX_ROUNDS;
  const maxChars = input.maxToolResultChars ?? DEFAULT_MAX_TOOL_RESULT_CHARS;
  const offeredNames = new Set(input.offered.functions.map((f) => f.function.name));
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: input.system },
    { role: 'user', content: input.user },
  ];
  const calls: AnalystToolCall[] = [];
  let promptTokens = 0;
  let completionTokens = 0;
  for (let round = 1; round <= maxRounds; round++) {
    const completion = await input.openai.chat.completions.create(
      {
        model: input.model,
        messages,
        ...(input.offered.functions.length > 0 ? { tools: input.offered.functions, tool_choice: 'auto' as const } : {}),
      },
      input.signal ? { signal: input.signal } : undefined,
    );
    promptTokens += completion.usage?.prompt_tokens ?? 0;
    completionTokens += completion.usage?.completion_tokens ?? 0;
    const message = completion.choices[0]?.message;
    if (!message) throw new AnalystError(`the model endpoint answered with no choice (model ${completion.model})`, 'analyst_model');
    const toolCalls = message.tool_calls ?? [];
    if (toolCalls.length === 0) {
      const text = (message.content ?? '').trim();
      if (text === '') {
        const why = message.refusal ? `it refused: ${message.refusal}` : `finish_reason ${completion.choices[0]?.finish_reason ?? 'unknown'}`;
        throw new AnalystError(`the model stopped without an answer (${why})`, 'analyst_no_answer');
      }
      messages.push({ role: 'assistant', content: message.content });
      return { text, rounds: round, toolCalls: calls, responseModel: completion.model, usage: { promptTokens, completionTokens }, messages };
    }
    messages.push({ role: 'assistant', content: message.content ?? null, tool_calls: toolCalls });
    for (const call of toolCalls) {
      const record = await runCall(call, round, offeredNames, input.callTool, maxChars);
      calls.push(record.call);
      messages.push({ role: 'tool', tool_call_id: call.id, content: record.content });
    }
  }
  const names = [...new Set(calls.map((c) => c.name))].join(', ');
  throw new AnalystError(
    `the model was still calling functions after ${maxRounds} rounds (${calls.length} calls: ${names}); no answer was stored. ` +
      'Raise --max-rounds or use a model that follows the instructions.',
    'analyst_max_rounds',
  );
}

async function runCall(
  call: ChatCompletionMessageToolCall,
  round: number,
  offered: ReadonlySet<string>,
  callTool: AnalystLoopInput['callTool'],
  maxChars: number,
): Promise<{ call: AnalystToolCall; content: string }> {
  if (call.type !== 'function') {
    return failed(call.id, `custom:${call.custom.name}`, call.custom.input, round, 'only function calls are supported');
  }
  const name = call.function.name;
  const raw = call.function.arguments;
  if (!offered.has(name)) return failed(call.id, name, raw, round, `no function named ${name} is offered; offered: ${[...offered].join(', ')}`);
  let args: Record<string, unknown>;
  try {
    const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    args = parsed as Record<string, unknown>;
  } catch (error) {
    return failed(call.id, name, raw, round, `arguments are not a JSON object (${(error as Error).message}): ${raw.slice(0, 200)}`);
  }
  let result: McpToolResult;
  try {
    result = await callTool(name, args);
  } catch (error) {
    return failed(call.id, name, args, round, `the call to UTP failed: ${(error as Error).message}`);
  }
  const content = toolMessageContent(result);
  if (result.isError) {
    const error = (JSON.parse(content) as { error: string }).error;
    return { call: { id: call.id, name, arguments: args, round, isError: true, output: null, error }, content };
  }
  if (content.length > maxChars) {
    return failed(call.id, name, args, round, `the result is ${content.length} characters, above this analyst's limit of ${maxChars}; ask for less (fewer bars, a smaller limit)`);
  }
  const output = result.structuredContent ? { ...result.structuredContent } : null;
  return { call: { id: call.id, name, arguments: args, round, isError: false, output, error: null }, content };
}

function failed(id: string, name: string, args: Record<string, unknown> | string, round: number, error: string): { call: AnalystToolCall; content: string } {
  return { call: { id, name, arguments: args, round, isError: true, output: null, error }, content: toolErrorContent(error) };
}
