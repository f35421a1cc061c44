/**
 * Shapes of the parameter service: the store port it writes versions through
 * (the store's `ParameterRepo` fits it), the versions it shows (the tools'
 * `ParameterSetView` plus `restores`), validation results and health checks.
 */
import type { ParameterVersionInput, ParameterVersionRecord } from '../../core/index.js';
import type { DryRunReport } from './dryRun.js';
import type { ParameterSet } from './schema.js';

// A version as the service shows it (stored version plus `active`) is the core domain type; re-exported here.
export type { ParameterVersion } from '../../core/index.js';

/** One stored version as the store returns it (the core `ParameterVersionRecord`). */
export type ParameterVersionRecordPort = ParameterVersionRecord;

/** Where versions are kept: append-only, the highest version is in effect (the store's `ParameterRepo`). */
export type ParameterStorePort = Readonly<{
  /** Appends the next version; with `expectedLatest` fails when another writer got there first. */
  append(input: ParameterVersionInput, expectedLatest?: number | null): ParameterVersionRecord;
  latest(): ParameterVersionRecord | null;
  get(version: number): ParameterVersionRecord | null;
  list(limit: number): readonly ParameterVersionRecord[];
}>;

/** Outcome of validating a change (the tools' `ParameterValidation`, plus the dry-run report when one ran). */
export type ParameterValidationResult =
  | Readonly<{ ok: true; params: ParameterSet; summary: string; dryRun: DryRunReport; /** The version the change was merged onto (pass it to `apply` as `baseVersion`). */ base: number }>
  | Readonly<{ ok: false; reasons: readonly string[]; dryRun?: DryRunReport }>;

/** Verdict of a health check; `reasons` say what failed (empty when ok). */
export type HealthResult = Readonly<{ ok: boolean; reasons: readonly string[] }>;

/** Runs after a change is in effect; a failed (or throwing) check rolls the change back. */
export type HealthCheck = (params: ParameterSet, version: number) => HealthResult | Promise<HealthResult>;
