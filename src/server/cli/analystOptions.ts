/** The flags `utp analyst` adds to the CLI's parseArgs options (besides the shared --data-dir, --config, --symbol, --allow-writes, --log-level, --mode, --symbols, --speed, --replay). */
export const ANALYST_CLI_OPTIONS = {
  every: { type: 'string' },
  once: { type: 'boolean' },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  url: { type: 'string' },
  'max-rounds': { type: 'string' },
  question: { type: 'string' },
} as const;

