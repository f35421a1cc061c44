/**
 * Shapes of the parameter service: the store port it writes versions through
 * (the store's `ParameterRepo` fits it), the versions it shows (the tools'
 * `ParameterSetView` plus `restores`), validation results and health checks.
 */
import type { DryRunReport } from './dryRun.js';
import type { ParameterSet } from './schema.js';

/** One stored version as the store returns it. */
export type ParameterVersionRecordPort = Readonly<{
  version: number;
  createdAt: number;
  createdBy: string;
  reason: string;
  params: Readonly<Record<string, unknown>>;
  parent: number | null;
  restores: number | null;
}>;

/** Where versions are kept: append-only, the highest version is in effect (the store's `ParameterRepo`). */
export type ParameterStorePort = Readonly<{
  /** Appends the next version; with `expectedLatest` fails when another writer got there first. */
  append(
    input: Readonly<{ createdAt: number; createdBy: string; reason: string; params: Readonly<Record<string, unknown>>; restores?: number | null }>,
    expectedLatest?: number | null,
  ): ParameterVersionRecordPort;
  latest(): ParameterVersionRecordPort | null;
  get(version: number): ParameterVersionRecordPort | null;
  list(limit: number): readonly ParameterVersionRecordPort[];
}>;

/** One version as the service shows it (the tools' `ParameterSetView`, plus the version a rollback restores). */
export type ParameterVersion = Readonly<{
  version: number;
  /** Epoch ms the version took effect. */
  createdAt: number;
  /** Who caused it: `default`, `approval:<requestId>`, `cli`, `rollback`, `auto-rollback`. */
  createdBy: string;
  reason: string;
  /** The full parameter set (sections `dtms`, `exits`, `risk`). */
  params: Readonly<Record<string, unknown>>;
  /** True for the version in effect. */
  active: boolean;
  /** The version in effect before this one, null for the first. */
  parent: number | null;
  /** For a rollback (manual or automatic), the version whose parameters it restores; null otherwise. */
  restores: number | null;
}>;

/** Outcome of validating a change (the tools' `ParameterValidation`, plus the dry-run report when one ran). */
export type ParameterValidationResult =
  | Readonly<{ ok: true; params: ParameterSet; summary: string; dryRun: DryRunReport; /** The version the change was merged onto (pass it to `apply` as `baseVersion`). */ base: number }>
  | Readonly<{ ok: false; reasons: readonly string[]; dryRun?: DryRunReport }>;

/** Verdict of a health check; `reasons` say what failed (empty when ok). */
export type HealthResult = Readonly<{ ok: boolean; reasons: readonly string[] }>;

/** Runs after a change is in effect; a failed (or throwing) check rolls the change back. */
export type HealthCheck = (params: ParameterSet, version: number) => HealthResult | Promise<HealthResult>;
