/**
 * Merges the watermarks of several input channels into one (Flink's `StatusWatermarkValve`).
 *
 * Invariants: the output watermark is the minimum over active channels and never goes back;
 * an idle channel does not hold the watermark back; when every channel is idle the output is
 * idle; a channel that becomes active again only rejoins the minimum once its watermark has
 * caught up with the output (so it cannot pull the output back).
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
