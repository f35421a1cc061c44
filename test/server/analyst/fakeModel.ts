/**
 * A local OpenAI-compatible model server for the analyst tests: a node:http
 * server implementing POST /v1/chat/completions (non-streaming) whose answers
 * come from a script, and which records every request it receives (body and
 * Authorization header) so a test can check what the loop sent back.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat message as the loop sends it (loose: the test inspects it). */
export type SentMessage = {
  role: string;
  content?: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
};

/** One request the fake model received. */
export type ReceivedRequest = {
  authorization: string | undefined;
  path: string;
  body: { model: string; messages: SentMessage[]; tools?: { type: string; function: { name: string; description?: string; parameters: Record<string, unknown> } }[]; tool_choice?: unknown; stream?: unknown };
};

/** What the script answers: tool calls, or a final text. */
export type ScriptedReply = { toolCalls: { name: string; arguments: string }[] } | { text: string };

/** Decides the reply to a request (index = 0-based request number). */
export type Script = (request: ReceivedRequest['body'], index: number) => ScriptedReply;

/** A running fake model server. */
export type FakeModel = { baseURL: string; requests: ReceivedRequest[]; close(): Promise<void> };

/** Starts the fake model on 127.0.0.1, port 0. */
export async function startFakeModel(script: Script, modelName = 'fake-model-2026'): Promise<FakeModel> {
  const requests: ReceivedRequest[] = [];
  let callIds = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedRequest['body'];
      const index = requests.length;
      requests.push({ authorization: req.headers.authorization, path: req.url, body: structuredClone(body) });
      let reply: ScriptedReply;
      try {
        reply = script(body, index);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: (error as Error).message, type: 'server_error' } }));
        return;
      }
      const message =
        'text' in reply
          ? { role: 'assistant', content: reply.text, refusal: null }
          : {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: reply.toolCalls.map((c) => ({ id: `call_${++callIds}`, type: 'function', function: { name: c.name, arguments: c.arguments } })),
            };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${index + 1}`,
          object: 'chat.completion',
          created: 1767225600 + index,
          model: modelName,
          choices: [{ index: 0, message, finish_reason: 'text' in reply ? 'stop' : 'tool_calls', logprobs: null }],
          usage: { prompt_tokens: 100 + index, completion_tokens: 10 + index, total_tokens: 110 + 2 * index },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The script of the brief: first reply calls get_market_state and get_multi_timeframe, the next (after tool results) answers. */
export function twoStepScript(symbol: string, finalText: string): Script {
  return (body) =>
    body.messages.some((m) => m.role === 'tool')
      ? { text: finalText }
      : {
          toolCalls: [
            { name: 'get_market_state', arguments: JSON.stringify({ symbol }) },
            { name: 'get_multi_timeframe', arguments: JSON.stringify({ symbol, bars: 3 }) },
          ],
        };
}
