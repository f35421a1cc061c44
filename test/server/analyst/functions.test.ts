/** The pure parts of the analyst: which tools become functions, how results are handed back, and the bias line. */
import { describe, expect, it } from 'vitest';
import { offerTools, parseBias, toolMessageContent } from '../../../src/server/analyst/index.js';

const schema = (props: Record<string, unknown>) => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: props });

describe('offerTools', () => {
  const tools = [
    { name: 'get_market_state', title: 'Market state', description: 'Bid and ask.', inputSchema: schema({ symbol: { type: 'string' } }), annotations: { readOnlyHint: true } },
    { name: 'close_position', title: 'Close position', description: 'Closes.', inputSchema: schema({ ticket: { type: 'integer' } }), annotations: { readOnlyHint: false, destructiveHint: true } },
    { name: 'mystery', description: 'No annotations: may write, per the MCP spec.', inputSchema: schema({}) },
  ];

  it('offers read-only tools only, by default', () => {
    const offered = offerTools(tools, { allowWrites: false });
    expect(offered.readOnly).toEqual(['get_market_state']);
    expect(offered.write).toEqual([]);
    expect(offered.withheld).toEqual(['close_position', 'mystery']);
    expect(offered.functions).toEqual([
      { type: 'function', function: { name: 'get_market_state', description: 'Market state: Bid and ask.', parameters: { type: 'object', properties: { symbol: { type: 'string' } } } } },
    ]);
  });

  it('offers write tools with allowWrites, saying they only file a request for approval', () => {
    const offered = offerTools(tools, { allowWrites: true });
    expect(offered.functions.map((f) => f.function.name)).toEqual(['get_market_state', 'close_position', 'mystery']);
    expect(offered.write).toEqual(['close_position', 'mystery']);
    expect(offered.functions[1]!.function.description).toBe(
      'Close position: Closes. (WRITE: files a request a human must approve; the answer is the pending request, not an execution)',
    );
  });
});

describe('toolMessageContent', () => {
  it('sends the structured output as JSON, text when there is none, and {"error"} for isError', () => {
    expect(toolMessageContent({ content: [{ type: 'text', text: '{"a":1}' }], structuredContent: { a: 1 } })).toBe('{"a":1}');
    expect(toolMessageContent({ content: [{ type: 'text', text: 'one' }, { type: 'image' }, { type: 'text', text: 'two' }] })).toBe('one\ntwo');
    expect(toolMessageContent({ content: [{ type: 'text', text: 'invalid_request: unknown symbol "X"' }], isError: true })).toBe('{"error":"invalid_request: unknown symbol \\"X\\""}');
    expect(toolMessageContent({ isError: true })).toBe('{"error":"the tool call failed without a message"}');
  });
});

describe('parseBias', () => {
  it('reads the last "Bias:" line, in plain or markdown form', () => {
    expect(parseBias('x\nBias: bullish')).toBe('bullish');
    expect(parseBias('**Bias:** Bearish\n')).toBe('bearish');
    expect(parseBias('- bias: neutral\nlater\nBias: bearish')).toBe('bearish');
    expect(parseBias('The bias is unclear')).toBeNull();
    expect(parseBias('Bias: sideways')).toBeNull();
  });
});
