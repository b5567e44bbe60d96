import type { Output } from './output.ts';
import type { OperatorCounters } from './output.ts';
import type { StreamOperator, OperatorInfo } from './operator.ts';

/**
 * A failure inside an operator, tagged with the operator it happened in. Created once, at the
 * innermost operator; outer chain links pass it through unchanged.
 */
export class OperatorFailure extends Error {
  override name = 'OperatorFailure';
  constructor(
    readonly operator: OperatorInfo,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Tags an error with the operator it escaped from, unless an inner operator already did. */
export function attributeFailure(error: unknown, op: StreamOperator): OperatorFailure {
  return error instanceof OperatorFailure ? error : new OperatorFailure(op.info, error);
}

/** A direct call into the next operator of a chain: no queue, no copy. */
export class ChainingOutput implements Output {
  constructor(private readonly op: StreamOperator) {}
  collect(value: unknown, timestamp: number): void {
    const op = this.op;
    op.counters.recordsIn++;
    try {
      op.processElement(value, timestamp);
    } catch (e) {
      throw attributeFailure(e, op);
    }
  }
  collectSide(): void {
    throw new Error('ChainingOutput receives main-output records only');
  }
  emitWatermark(timestamp: number): void {
    try {
      this.op.processWatermark(timestamp, 0);
    } catch (e) {
      throw attributeFailure(e, this.op);
    }
  }
  emitWatermarkStatus(idle: boolean): void {
    this.op.processWatermarkStatus(idle, 0);
  }
}

/**
 * The output an operator writes to: counts its records out, fans the main output out to every
 * consumer (chained operators and record writers), and routes side outputs by tag.
 * Watermarks go to main and side consumers alike.
 */
export class OperatorOutput implements Output {
  private readonly all: Output[];
  constructor(
    private readonly counters: OperatorCounters,
    private readonly main: Output[],
    private readonly side: Map<string, Output[]>,
  ) {
    this.all = [...main, ...[...side.values()].flat()];
    if (main.length === 1) {
      const only = main[0]!;
      this.collect = (value, timestamp) => {
        this.counters.recordsOut++;
        only.collect(value, timestamp);
      };
    } else if (main.length === 0) {
      this.collect = () => {
        this.counters.recordsOut++;
      };
    }
  }
  collect(value: unknown, timestamp: number): void {
    this.counters.recordsOut++;
    for (const m of this.main) m.collect(value, timestamp);
  }
  collectSide(tagId: string, value: unknown, timestamp: number): void {
    const targets = this.side.get(tagId);
    if (targets) for (const t of targets) t.collect(value, timestamp);
  }
  emitWatermark(timestamp: number): void {
    for (const o of this.all) o.emitWatermark(timestamp);
  }
  emitWatermarkStatus(idle: boolean): void {
    for (const o of this.all) o.emitWatermarkStatus(idle);
  }
}
