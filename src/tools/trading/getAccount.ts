import * as z from 'zod';
import { defineTool } from '../defineTool.js';
import { modesOutput, READ_ONLY_TRADING } from './shared.js';
import { isoOrNull, TRADING_NOT_WIRED } from './view.js';

/** The trading account at the execution venue: balance, equity, floating P/L. */
export const getAccount = defineTool({
  name: 'get_account',
  title: 'Trading account',
  description:
    'The account at the execution venue (the built-in paper venue in replay and paper modes): balance, equity (balance + floating), floating P/L, ' +
    'currency, the venue id and the trading mode of every symbol. Answers available=false with a reason when trading is not wired.',
  input: z.object({}),
  output: z.object({
    available: z.boolean().describe('False when trading is not wired in this server'),
    reason: z.string().nullable().describe('Why nothing is available, null when it is'),
    venue: z.string().nullable().describe('Execution venue id, e.g. paper'),
    currency: z.string().nullable().describe('Account currency'),
    balance: z.number().nullable().describe('Balance (realised), account currency'),
    equity: z.number().nullable().describe('Balance plus floating P/L'),
    floating: z.number().nullable().describe('Floating P/L of the open positions'),
    asOf: z.string().nullable().describe('When the account was read, ISO 8601 UTC'),
    modes: modesOutput,
  }),
  annotations: READ_ONLY_TRADING,
  scope: 'read',
  handler: (_args, ctx) => {
    const t = ctx.trading;
    if (!t) return { available: false, reason: TRADING_NOT_WIRED, venue: null, currency: null, balance: null, equity: null, floating: null, asOf: null, modes: {} };
    const a = t.account();
    return { available: true, reason: null, venue: t.venueId, currency: a.currency, balance: a.balance, equity: a.equity, floating: a.floating, asOf: isoOrNull(a.tsEvent), modes: { ...t.modes() } };
  },
});
