/**
 * `utp params list|diff A B|rollback VERSION`: the versioned trading
 * parameters from the data folder's SQLite database. `list` and `diff` only
 * read. `rollback` writes the restoring version straight into the database
 * (append-only, under SQLite's write lock); a running server picks it up
 * within its poll interval (config `parameters.pollIntervalMs`, default 2 s)
 * and tells the engines. Each command returns its exit code and its output
 * instead of writing, so the CLI prints it and tests read it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LiveClock, UtpError, type Clock } from '../../core/index.js';
import { createParameterService } from '../../engines/params/index.js';
import { openStore, ParameterRepo, type ParameterVersionRecord, type Store } from '../../store/index.js';
import { diffParameters, type ParameterChange } from '../../tools/params/diff.js';
import { DATABASE_FILE } from '../compose.js';

/** What a params command prints and its exit code (0 ok, 1 refused or failed, 2 bad arguments). */
export type ParamsCommandResult = Readonly<{ exitCode: number; stdout: string; stderr: string }>;

const iso = (ms: number): string => new Date(ms).toISOString();
const ok = (stdout: string): ParamsCommandResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string, exitCode = 1): ParamsCommandResult => ({ exitCode, stdout: '', stderr: `${stderr}\n` });

function withStore<T>(dataDir: string, readonly: boolean, fn: (store: Store) => T): T | ParamsCommandResult {
  const file = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) return fail(`no database at ${file}; start the server once or pass --data-dir`);
  let store: Store;
  try {
    store = openStore({ path: file, readonly });
  } catch (error) {
    return fail(`cannot open ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** One line per version, newest first: `* 3  2026-01-01T00:00:00.000Z  cli  restores 1  reason` (`*` marks the version in effect). */
export function formatVersionLine(v: ParameterVersionRecord, activeVersion: number): string {
  const mark = v.version === activeVersion ? '*' : ' ';
  const restores = v.restores !== null ? `  restores ${v.restores}` : '';
  return `${mark} ${v.version}  ${iso(v.createdAt)}  ${v.createdBy}${restores}  ${v.reason}`;
}

/** `utp params list [--limit N]`: the latest versions, newest first. */
export function paramsList(dataDir: string, limit = 20): ParamsCommandResult {
  if (!Number.isInteger(limit) || limit < 1) return fail('--limit must be a positive integer', 2);
  const r = withStore(dataDir, true, (store) => {
    const repo = new ParameterRepo(store.db);
    const versions = repo.list(limit);
    const active = versions[0];
    if (active === undefined) return ok('no parameter versions yet: the engines run on their defaults until the server writes version 1 at its first start\n');
    return ok(`${versions.map((v) => formatVersionLine(v, active.version)).join('\n')}\n`);
  });
  return r;
}

/** One changed field as `path: from -> to` (JSON values). */
export function formatChange(c: ParameterChange): string {
  return `${c.path}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`;
}

/** `utp params diff A B`: every field that differs from version A to version B. */
export function paramsDiff(dataDir: string, from: number, to: number): ParamsCommandResult {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < 1) return fail('usage: utp params diff A B (two version numbers)', 2);
  return withStore(dataDir, true, (store) => {
    const repo = new ParameterRepo(store.db);
    const a = repo.get(from);
    const b = repo.get(to);
    const missing = [a === null ? from : null, b === null ? to : null].filter((x) => x !== null);
    if (a === null || b === null) return fail(`parameter version ${missing.join(' and ')} does not exist`);
    const changes = diffParameters(a.params, b.params);
    if (changes.length === 0) return ok(`versions ${from} and ${to} have the same parameters\n`);
    return ok(`${changes.map(formatChange).join('\n')}\n`);
  });
}

/**
 * `utp params rollback VERSION [--reason TEXT]`: writes a new version with
 * the parameters of VERSION (created by `cli`). Refused (exit 1) when the
 * version does not exist, no longer passes the schema, or is already in effect.
 */
export async function paramsRollback(dataDir: string, version: number, reason = 'rollback from the command line', clock: Clock = new LiveClock()): Promise<ParamsCommandResult> {
  if (!Number.isInteger(version) || version < 1) return fail('usage: utp params rollback VERSION (a version number)', 2);
  const file = path.join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) return fail(`no database at ${file}; start the server once or pass --data-dir`);
  const store = openStore({ path: file });
  try {
    const repo = new ParameterRepo(store.db);
    if (repo.get(version) === null) return fail(`parameter version ${version} does not exist`);
    // No symbols: a rollback runs no dry run and no health check (see ParameterService.rollback).
    const service = createParameterService({ store: repo, clock, symbols: [], rules: {}, candles: () => [] });
    const before = service.current().version;
    const v = await service.rollback(version, 'cli', reason);
    const changes = diffParameters(repo.get(before)?.params ?? {}, v.params).map(formatChange);
    return ok(
      `version ${v.version} restores version ${version} (was ${before}); a running server applies it within its poll interval\n` +
        (changes.length > 0 ? `${changes.join('\n')}\n` : ''),
    );
  } catch (error) {
    if (error instanceof UtpError) return fail(error.message);
    throw error;
  } finally {
    store.close();
  }
}
