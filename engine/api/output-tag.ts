import type { OutputTagLike } from '../runtime/functions.ts';

/**
 * Names a side output and carries its element type.
 *
 * @example
 * const late = new OutputTag<Click>('late-clicks');
 * const windowed = keyed.window(TumblingEventTimeWindows.of(60_000)).sideOutputLateData(late).reduce(merge);
 * windowed.getSideOutput(late).print();
 */
export class OutputTag<T> implements OutputTagLike<T> {
  declare readonly __type?: T;
  constructor(readonly id: string) {
    if (typeof id !== 'string' || !id) throw new Error('OutputTag needs a non-empty id');
  }
}
