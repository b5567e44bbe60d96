/**
 * What a restore does with state the job now declares differently, or no longer declares
 * (Flink's `StateMigrationException` when a state's serializer is incompatible, and its
 * `--allowNonRestoredState`). A job restored from a savepoint must declare each restored state
 * under the same name with the same kind (value, list, map, reducing, aggregating; list, union
 * or broadcast operator state), and a keyed state with a TTL if and only if it had one (the
 * TTL's length may change, as in Flink): otherwise the old values would be read as something
 * they are not. Such a restore is refused when the operator opens, before it sees any record; with
 * `--allow-non-restored-state` the old state is dropped instead and the operator starts without
 * it. State the job no longer declares is refused or dropped the same way.
 */

/** The restore policy the tasks of a deployment get (`TaskServices.restoreChecks`). */
export interface RestoreChecks {
  /**
   * The deployment starts the job from a savepoint or checkpoint the user gave (not a restart
   * from the job's own checkpoint): only then is state the job no longer declares looked for.
   */
  readonly fromSavepoint: boolean;
  /** `--allow-non-restored-state`: drop restored state the job cannot take instead of refusing. */
  readonly allowNonRestoredState: boolean;
}

/** The operator a restored state belongs to, for messages. */
export interface StateOwner {
  readonly uid: string;
  readonly name: string;
}

/** How a restored state's TTL and the job's declaration of it differ (ms; `null` for none). */
export interface TtlChange {
  readonly oldTtlMs: number | null;
  readonly newTtlMs: number | null;
}

const describeTtl = (ms: number | null) => (ms === null ? 'without a TTL' : `with a TTL of ${ms} ms`);

/**
 * A restored state that the job declares with another kind, or no longer declares (`newKind`
 * undefined), or whose TTL was switched on or off (`ttl`). Not recoverable by restarting: the
 * job fails at once, naming operator, state and both kinds (or both TTLs), and what the user can
 * do.
 *
 * @example
 * try { await client.result; } catch (e) { if (e.cause?.name === 'StateMigrationException') … }
 */
export class StateMigrationException extends Error {
  override name = 'StateMigrationException';
  constructor(
    readonly owner: StateOwner,
    readonly state: string,
    readonly oldKind: string,
    readonly newKind: string | undefined,
    readonly ttl?: TtlChange,
  ) {
    const where = `Operator '${owner.name}' (uid ${owner.uid})`;
    super(
      ttl !== undefined
        ? `${where}: the savepoint holds ${oldKind} state '${state}' ${describeTtl(ttl.oldTtlMs)}, but the job declares it ${describeTtl(ttl.newTtlMs)} ` +
            `(the TTL of a state cannot be switched on or off between savepoint and restore: its stored values ${ttl.oldTtlMs === null ? 'carry no' : 'carry their'} last-access times). ` +
            `To resume: declare '${state}' ${ttl.oldTtlMs === null ? 'without a TTL' : `with a TTL (StateTtlConfig.newBuilder(${ttl.oldTtlMs}))`} again, ` +
            `give the state another name, or pass --allow-non-restored-state to start without the old one`
        : newKind === undefined
          ? `${where}: the savepoint holds ${oldKind} state '${state}', which the job no longer declares. ` +
            `To resume: declare it again (in open()), or pass --allow-non-restored-state to start without it`
          : `${where}: the savepoint holds state '${state}' as ${oldKind} state, but the job declares it as ${newKind} state ` +
            `(its stored values cannot be read as ${newKind} state). To resume: declare '${state}' as ${oldKind} state again, ` +
            `give the new state another name, or pass --allow-non-restored-state to start without the old one`,
    );
  }
}

/** Error names a restart cannot help: the job fails at once (Flink's `SuppressRestartsException`). */
export const UNRECOVERABLE_FAILURES: ReadonlySet<string> = new Set(['StateMigrationException']);
