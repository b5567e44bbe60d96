/**
 * Batches a cell's console text into outputs. A pipeline's `print()` at full speed writes
 * hundreds of thousands of lines a second; sending each would swamp the link and the page. So
 * text that follows other text within a short interval is gathered and sent as one output per
 * stream at the interval's end, and beyond a cap per interval lines are dropped and counted,
 * with the count said in the next output. Text after a quiet interval is sent at once.
 */
import type { CellOutput } from '../shared/workbench/protocol.ts';

/** Limits of one batch. */
export interface OutputThrottleOptions {
  /** How long text gathers before it is sent, ms. Default 40. */
  intervalMs?: number;
  /** Lines per stream per interval; more are dropped and counted. Default 400. */
  maxLines?: number;
  /** Characters per stream per interval. Default 64k. */
  maxChars?: number;
  /** Timer functions; tests pass fakes. */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Pending {
  lines: string[];
  chars: number;
  dropped: number;
}

/**
 * Gathers text for one cell and hands batches to `emit`.
 *
 * @example
 * const throttle = new OutputThrottle((output) => client.onDidWriteOutput({ path, cellId, output }));
 * throttle.write('stdout', 'hello\n');
 * throttle.flush(); // at the end of the cell
 */
export class OutputThrottle {
  private readonly pending: Record<'stdout' | 'stderr', Pending> = { stdout: empty(), stderr: empty() };
  /** Streams in the order text first arrived in the current interval, so stdout/stderr interleave plausibly. */
  private order: ('stdout' | 'stderr')[] = [];
  private timer: unknown;
  private readonly intervalMs: number;
  private readonly maxLines: number;
  private readonly maxChars: number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly emit: (output: CellOutput) => void,
    options: OutputThrottleOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 40;
    this.maxLines = options.maxLines ?? 400;
    this.maxChars = options.maxChars ?? 64 * 1024;
    this.setTimer = options.setTimer ?? ((callback, ms) => {
      const handle = setTimeout(callback, ms);
      handle.unref?.();
      return handle;
    });
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /** Adds text; a trailing line break is implied when `text` lacks one. */
  write(stream: 'stdout' | 'stderr', text: string): void {
    const batch = this.pending[stream];
    if (!this.order.includes(stream)) this.order.push(stream);
    for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) {
      if (batch.lines.length >= this.maxLines || batch.chars + line.length > this.maxChars) {
        batch.dropped++;
        continue;
      }
      batch.lines.push(line);
      batch.chars += line.length + 1;
    }
    if (this.timer === undefined) {
      // The first text after a quiet interval goes at once, so that the last line a cell prints
      // before it hangs is seen; what follows within the interval gathers.
      this.send();
      this.timer = this.setTimer(this.tick, this.intervalMs);
    }
  }

  /** Sends what has gathered now. */
  flush(): void {
    if (this.timer !== undefined) {
      this.clearTimer(this.timer);
      this.timer = undefined;
    }
    this.send();
  }

  /** The end of an interval: send what gathered, and keep gathering while text keeps coming. */
  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.send()) this.timer = this.setTimer(this.tick, this.intervalMs);
  };

  /** Emits the gathered text, one output per stream; returns whether there was any. */
  private send(): boolean {
    let sent = false;
    for (const stream of this.order) {
      const batch = this.pending[stream];
      const lines = batch.dropped > 0 ? [...batch.lines, `… ${batch.dropped.toLocaleString('en-US')} more line${batch.dropped === 1 ? '' : 's'} not shown`] : batch.lines;
      if (lines.length > 0) {
        this.emit({ kind: 'text', stream, text: lines.join('\n') + '\n' });
        sent = true;
      }
      this.pending[stream] = empty();
    }
    this.order = [];
    return sent;
  }
}

function empty(): Pending {
  return { lines: [], chars: 0, dropped: 0 };
}
