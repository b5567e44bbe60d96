/**
 * Merges the watermarks of several input channels into one (Flink's `StatusWatermarkValve`).
 *
 * Invariants: the output watermark is the minimum over active channels and never goes back;
 * an idle channel does not hold the watermark back; when every channel is idle the output first
 * advances to the maximum watermark any channel reached (nothing holds it back any more, and
 * windows up to there must fire) and then turns idle; a channel that becomes active again only
 * rejoins the minimum once its watermark has caught up with the output (so it cannot pull the
 * output back).
 */
export class WatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly aligned: boolean[];
  private lastOutput = Number.NEGATIVE_INFINITY;
  private outputIdle = false;

  constructor(
    readonly numChannels: number,
    private readonly onWatermark: (watermark: number) => void,
    private readonly onStatus: (idle: boolean) => void,
  ) {
    this.watermarks = new Array<number>(numChannels).fill(Number.NEGATIVE_INFINITY);
    this.idle = new Array<boolean>(numChannels).fill(false);
    this.aligned = new Array<boolean>(numChannels).fill(true);
  }

  /** The merged watermark emitted so far. */
  get current(): number {
    return this.lastOutput;
  }

  /**
   * One channel's last watermark, whether it is idle and whether it counts towards the minimum (for tests).
   *
   * @example
   * valve.channelStatus(2); // { watermark: 5, idle: false, aligned: false }
   */
  channelStatus(channel: number): { watermark: number; idle: boolean; aligned: boolean } {
    return { watermark: this.watermarks[channel]!, idle: this.idle[channel]!, aligned: this.aligned[channel]! };
  }

  inputWatermark(channel: number, watermark: number): void {
    if (this.idle[channel] || watermark <= this.watermarks[channel]!) return;
    this.watermarks[channel] = watermark;
    if (!this.aligned[channel] && watermark >= this.lastOutput) this.aligned[channel] = true;
    this.emitMinimum();
  }

  inputStatus(channel: number, idle: boolean): void {
    if (this.idle[channel] === idle) return;
    this.idle[channel] = idle;
    if (idle) {
      this.aligned[channel] = false;
      if (this.idle.every((x) => x)) {
        this.emitMaximum();
        if (!this.outputIdle) {
          this.outputIdle = true;
          this.onStatus(true);
        }
      } else this.emitMinimum();
    } else {
      this.aligned[channel] = this.watermarks[channel]! >= this.lastOutput;
      if (this.outputIdle) {
        this.outputIdle = false;
        this.onStatus(false);
      }
    }
  }

  /** Every channel is idle: flush the highest watermark seen on any of them (Flink does the same). */
  private emitMaximum(): void {
    let max = Number.NEGATIVE_INFINITY;
    for (const w of this.watermarks) if (w > max) max = w;
    if (max > this.lastOutput) {
      this.lastOutput = max;
      this.onWatermark(max);
    }
  }

  private emitMinimum(): void {
    let min = Number.POSITIVE_INFINITY;
    let any = false;
    for (let i = 0; i < this.numChannels; i++) {
      if (this.idle[i] || !this.aligned[i]) continue;
      any = true;
      if (this.watermarks[i]! < min) min = this.watermarks[i]!;
    }
    if (any && min > this.lastOutput) {
      this.lastOutput = min;
      this.onWatermark(min);
    }
  }
}
