import { InvalidRequestError, UtpError } from '../../core/index.js';
import type { ImportError } from './types.js';

/**
 * Thrown by `importFile` under `onError: 'stop'` at the first bad line; the
 * caller rolls back whatever it wrote. Carries the offending line.
 */
export class ImportAbortedError extends UtpError {
  constructor(readonly importError: ImportError) {
    super(`import aborted at ${importError.file}:${importError.line}: ${importError.message}`, 'import_aborted');
  }
}

/** The importer cannot tell (or was told an impossible) layout, timeframe, date or clock for a file. */
export class ImportFormatError extends InvalidRequestError {}

/** One line breaks the format or a data invariant; becomes an `ImportError`. */
export class RowError extends Error {
  override name = 'RowError';
}
