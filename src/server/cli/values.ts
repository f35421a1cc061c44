/** The parsed command-line flags every `utp` command receives (node:util parseArgs values). */
export type CommandValues = Readonly<Record<string, string | boolean | undefined>>;

/** File name of the SQLite database inside the data folder. */
export const DATABASE_FILE = 'utp.sqlite';

/** The data folder of a command: `--data-dir`, else `UTP_DATA_DIR`, else `./data`. */
export function commandDataDir(v: CommandValues, env: NodeJS.ProcessEnv = process.env): string {
  const dir = v['data-dir'];
  return typeof dir === 'string' ? dir : (env.UTP_DATA_DIR ?? './data');
}

/** The string-valued flags only (boolean switches dropped), for commands that read text flags. */
export function textFlags(v: CommandValues): Readonly<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(v)) if (typeof value === 'string') out[key] = value;
  return out;
}
