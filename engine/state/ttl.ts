/**
 * State time-to-live, as Flink's `StateTtlConfig`: entries expire a fixed processing time after
 * their last write (or read-or-write). Expired entries are invisible by default and are removed
 * when touched; with `cleanupFullSnapshot()` snapshots leave them out too (ttl-snapshot.ts).
 */

/** When the expiry clock of an entry restarts. */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
/** Whether a read may still return an expired entry that has not been cleaned up yet. */
export type TtlStateVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/**
 * The TTL of one state descriptor.
 *
 * @example
 * const ttl = StateTtlConfig.newBuilder(10 * 60_000)
 *   .setUpdateType('OnReadAndWrite')
 *   .setStateVisibility('NeverReturnExpired')
 *   .build();
 * descriptor.enableTimeToLive(ttl);
 */
export class StateTtlConfig {
  private constructor(
    readonly ttlMs: number,
    readonly updateType: TtlUpdateType,
    readonly stateVisibility: TtlStateVisibility,
    readonly cleanupInFullSnapshot: boolean,
  ) {}

  /** Starts a builder for a TTL of `ttlMs` milliseconds of processing time. */
  static newBuilder(ttlMs: number): StateTtlConfigBuilder {
    return new StateTtlConfigBuilder(ttlMs);
  }

  /** @internal used by the builder */
  static create(ttlMs: number, updateType: TtlUpdateType, visibility: TtlStateVisibility, cleanupInFullSnapshot: boolean): StateTtlConfig {
    return new StateTtlConfig(ttlMs, updateType, visibility, cleanupInFullSnapshot);
  }
}

/** Builder for `StateTtlConfig`; see `StateTtlConfig.newBuilder`. */
export class StateTtlConfigBuilder {
  private updateType: TtlUpdateType = 'OnCreateAndWrite';
  private visibility: TtlStateVisibility = 'NeverReturnExpired';
  private cleanupFull = false;
  constructor(private readonly ttlMs: number) {
    if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new Error(`StateTtlConfig: ttl must be a positive number of ms, got ${ttlMs}`);
  }
  /** 'OnCreateAndWrite' (default) or 'OnReadAndWrite'. */
  setUpdateType(t: TtlUpdateType): this {
    this.updateType = t;
    return this;
  }
  /** Shorthand for `setUpdateType('OnReadAndWrite')`. */
  updateTtlOnReadAndWrite(): this {
    return this.setUpdateType('OnReadAndWrite');
  }
  /** 'NeverReturnExpired' (default) or 'ReturnExpiredIfNotCleanedUp'. */
  setStateVisibility(v: TtlStateVisibility): this {
    this.visibility = v;
    return this;
  }
  /** Shorthand for `setStateVisibility('ReturnExpiredIfNotCleanedUp')`. */
  returnExpiredIfNotCleanedUp(): this {
    return this.setStateVisibility('ReturnExpiredIfNotCleanedUp');
  }
  /**
   * Leaves out expired entries when a snapshot is taken (the live state keeps them until they
   * are touched), so a restore does not bring them back.
   *
   * @example
   * StateTtlConfig.newBuilder(60_000).cleanupFullSnapshot().build();
   */
  cleanupFullSnapshot(): this {
    this.cleanupFull = true;
    return this;
  }
  build(): StateTtlConfig {
    return StateTtlConfig.create(this.ttlMs, this.updateType, this.visibility, this.cleanupFull);
  }
}

/**
 * Per keyed state of an operator, the TTL in ms it was declared with when a snapshot was taken,
 * or `null` for none. Snapshots carry it (snapshot-format's extra fields), so a restore into a
 * descriptor whose TTL was switched on or off is refused: the stored values carry their
 * last-access times, or do not (Flink's `StateMigrationException` for a changed TTL).
 *
 * @example
 * const recorded: RecordedStateTtl = { count: 60_000, seen: null };
 */
export type RecordedStateTtl = Readonly<Record<string, number | null>>;
