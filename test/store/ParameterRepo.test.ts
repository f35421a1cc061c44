/** The append-only parameter history in SQLite (migration 0004). */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidRequestError, TemporaryError } from '../../src/core/index.js';
import { openStore, ParameterRepo, type Store } from '../../src/store/index.js';
import { tmpFolder } from './fixtures.js';

let tmp: ReturnType<typeof tmpFolder>;
let store: Store;
beforeEach(() => {
  tmp = tmpFolder('utp-params-repo-');
  store = openStore({ path: path.join(tmp.dir, 'utp.sqlite') });
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

describe('ParameterRepo', () => {
  it('appends versions 1, 2, 3 with their parents; the highest is in effect', () => {
    const repo = new ParameterRepo(store.db);
    expect(repo.latest()).toBeNull();
    expect(repo.count()).toBe(0);
    const v1 = repo.append({ createdAt: 1000, createdBy: 'default', reason: 'defaults', params: { dtms: { breakevenR: 1 } } }, null);
    expect(v1).toEqual({ version: 1, createdAt: 1000, createdBy: 'default', reason: 'defaults', params: { dtms: { breakevenR: 1 } }, parent: null, restores: null });
    repo.append({ createdAt: 2000, createdBy: 'approval:R1', reason: 'later', params: { dtms: { breakevenR: 1.5 } } }, 1);
    const v3 = repo.append({ createdAt: 3000, createdBy: 'rollback', reason: 'back', params: { dtms: { breakevenR: 1 } }, restores: 1 });
    expect(v3).toMatchObject({ version: 3, parent: 2, restores: 1 });
    expect(repo.latest()).toEqual(v3);
    expect(repo.get(2)).toEqual({ version: 2, createdAt: 2000, createdBy: 'approval:R1', reason: 'later', params: { dtms: { breakevenR: 1.5 } }, parent: 1, restores: null });
    expect(repo.list(2).map((v) => v.version)).toEqual([3, 2]);
    expect(repo.count()).toBe(3);
    expect(repo.get(4)).toBeNull();
    expect(repo.get(1.5)).toBeNull();
  });

  it('refuses an append when another writer got there first, and a rollback of a missing version', () => {
    const repo = new ParameterRepo(store.db);
    repo.append({ createdAt: 1, createdBy: 'default', reason: 'd', params: {} }, null);
    expect(() => repo.append({ createdAt: 2, createdBy: 'x', reason: 'r', params: {} }, null)).toThrow(TemporaryError);
    expect(() => repo.append({ createdAt: 2, createdBy: 'x', reason: 'r', params: {} }, 5)).toThrow('parameters changed meanwhile: version 1 is in effect, not 5; retry');
    expect(() => repo.append({ createdAt: 2, createdBy: 'x', reason: 'r', params: {}, restores: 9 })).toThrow(InvalidRequestError);
    expect(repo.count()).toBe(1);
  });

  it('a second connection (another process) sees the same history; rows are never updated or deleted', () => {
    const repo = new ParameterRepo(store.db);
    repo.append({ createdAt: 1, createdBy: 'default', reason: 'd', params: { a: 1 } });
    const other = openStore({ path: store.path });
    try {
      new ParameterRepo(other.db).append({ createdAt: 2, createdBy: 'cli', reason: 'r', params: { a: 2 }, restores: 1 });
    } finally {
      other.close();
    }
    expect(repo.latest()).toMatchObject({ version: 2, createdBy: 'cli', params: { a: 2 } });
    expect(() => store.db.prepare('UPDATE parameter_versions SET params_json = ? WHERE version = 1').run('{}')).toThrow('parameter_versions is append-only');
    expect(() => store.db.prepare('DELETE FROM parameter_versions WHERE version = 2').run()).toThrow('parameter_versions is append-only');
  });
});
