/** Base of every error UTP raises on purpose; `code` is stable for callers. */
export class UtpError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input from outside (a frame, a row, a tool argument) that breaks the contract; counted and dropped. */
export class DataIntegrityError extends UtpError {
  constructor(message: string) {
    super(message, 'data_integrity');
  }
}

/** A caller asked for something that does not exist or is not valid (bad symbol, bad timeframe). */
export class InvalidRequestError extends UtpError {
  constructor(message: string) {
    super(message, 'invalid_request');
  }
}

/** A failure that may pass if retried (socket closed, 429, busy database). */
export class TemporaryError extends UtpError {
  constructor(message: string) {
    super(message, 'temporary');
  }
}

/** Configuration that cannot run; every problem is listed in the message. */
export class ConfigError extends UtpError {
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message, 'config');
  }
}
