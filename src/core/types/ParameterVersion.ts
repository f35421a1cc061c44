/**
 * What a new version of the trading parameters records; its number and
 * parent are assigned when it is appended to the append-only history.
 */
export type ParameterVersionInput = Readonly<{
  /** Epoch ms the version took effect (the caller's clock). */
  createdAt: number;
  /** Who caused it: `default`, `approval:<requestId>`, `cli`, `rollback`, `auto-rollback`. */
  createdBy: string;
  reason: string;
  /** The full parameter set (sections `dtms`, `exits`, `risk`). */
  params: Readonly<Record<string, unknown>>;
  /** For a rollback, the version whose parameters it restores. */
  restores?: number | null;
}>;

/** One stored version of the trading parameters (`parameter_versions`); the highest version is the one in effect. */
export type ParameterVersionRecord = Readonly<{
  version: number;
  /** Epoch ms the version took effect. */
  createdAt: number;
  /** Who caused it: `default`, `approval:<requestId>`, `cli`, `rollback`, `auto-rollback`. */
  createdBy: string;
  reason: string;
  /** The full parameter set (sections `dtms`, `exits`, `risk`). */
  params: Readonly<Record<string, unknown>>;
  /** The version in effect before this one, null for the first. */
  parent: number | null;
  /** For a rollback (manual or automatic), the version whose parameters it restores; null otherwise. */
  restores: number | null;
}>;

/** One version as the parameter service and tools show it: the stored version and whether it is the one in effect. */
export type ParameterVersion = ParameterVersionRecord & Readonly<{ active: boolean }>;
