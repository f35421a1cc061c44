/**
 * What the parameter tools (`get_parameters`, `set_parameters`) read and ask:
 * the versioned DTMS, exits and risk parameters, assembled by the server.
 * Absent from the tool context = parameters are not versioned in this server.
 */
import type { ParameterVersion } from '../../core/index.js';

/**
 * One stored version of the trading parameters (the core `ParameterVersion`),
 * except that `restores` may be absent (older implementations).
 */
export type ParameterSetView = Omit<ParameterVersion, 'restores'> & Readonly<{ restores?: number | null }>;

/** Outcome of validating a change: the merged set it would produce, or every reason it is refused. */
export type ParameterValidation =
  | Readonly<{
      ok: true;
      params: Readonly<Record<string, unknown>>;
      summary: string;
      /** The version the change was merged onto; pass it to `apply` as `baseVersion` so a change approved against it is refused once another version took effect. */
      base?: number;
    }>
  | Readonly<{ ok: false; reasons: readonly string[] }>;

/** The versioned parameters of the running system. */
export type ParametersView = Readonly<{
  current(): ParameterSetView;
  list(limit: number): readonly ParameterSetView[];
  get(version: number): ParameterSetView | null;
  /** Validates a partial change (schema, then a dry run of DTMS and exits over recent recorded data) without applying it. */
  validate(change: Readonly<Record<string, unknown>>): Promise<ParameterValidation>;
  /**
   * Applies a validated, approved change as a new version; a failed health check rolls back automatically (the result says so:
   * it is then the `auto-rollback` version). Throws `InvalidRequestError` with every reason when the change is refused, or when
   * `baseVersion` is given and another version took effect since.
   */
  apply(change: Readonly<Record<string, unknown>>, by: string, reason: string, baseVersion?: number): Promise<ParameterSetView>;
  /** Makes an earlier version current again, as a new version. */
  rollback(version: number, by: string, reason: string): Promise<ParameterSetView>;
}>;
