/**
 * Errors of the SQL layer, each located at a line and column of the statement text, as Flink's
 * `SqlParserException` and `ValidationException` name the position ("line 2, column 8").
 */

/** Where in the SQL text something is: 1-based line and column. */
export interface SqlPosition {
  line: number;
  column: number;
}

/** Any error of the SQL layer: a message, and the position it refers to when known. */
export class SqlError extends Error {
  override name = 'SqlError';
  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    readonly position?: SqlPosition,
  ) {
    super(position ? `${reason} (line ${position.line}, column ${position.column})` : reason);
  }
}

/** The text does not parse as Flink SQL. */
export class SqlParseError extends SqlError {
  override name = 'SqlParseError';
}

/** The statement parses but uses a construct Weir does not run yet: it fails rather than give a wrong result. */
export class SqlUnsupportedError extends SqlError {
  override name = 'SqlUnsupportedError';
  constructor(construct: string, position?: SqlPosition) {
    super(`${construct} is not supported yet`, position);
  }
}

/** The statement is valid SQL but wrong for its tables: an unknown column, a type mismatch, ... */
export class SqlValidationError extends SqlError {
  override name = 'SqlValidationError';
}
