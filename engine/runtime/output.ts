/**
 * Where an operator sends what it produces. Inside a chain, `collect` is a direct call into the
 * next operator; at the end of a chain it appends to the batches of the outgoing channels.
 */
export interface Output<T = unknown> {
  /** Emits a record with event time `timestamp` (NO_TIMESTAMP when it has none). */
  collect(value: T, timestamp: number): void;
  /** Emits a record to the side output with tag id `tagId`. */
  collectSide(tagId: string, value: unknown, timestamp: number): void;
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

/** An output that drops everything (an operator without consumers). */
export const DISCARDING_OUTPUT: Output<any> = {
  collect() {},
  collectSide() {},
  emitWatermark() {},
  emitWatermarkStatus() {},
};

/** Record counters of one operator instance, for metrics and the report. */
export class OperatorCounters {
  recordsIn = 0;
  recordsOut = 0;
}
