/**
 * Full-snapshot cleanup of state with a time-to-live (Flink's `TtlStateSnapshotTransformer`,
 * switched on by `StateTtlConfig.cleanupFullSnapshot()`): a snapshot leaves out what has expired
 * at its barrier. Value, reducing and aggregating entries go whole; list elements and map
 * entries expire one by one, and a list or map with nothing left goes too. The live state is
 * not changed: only what the snapshot writes.
 *
 * The snapshot format writes each state's entry count before its entries, so the entries that
 * survive are counted at the barrier. The copy-on-write view then gives the values as they were
 * at the barrier, and judging them against the barrier's time gives the same answer again.
 */
import type { EntryVisitor, StateTable } from './state-table.ts';
import type { TableSnapshotSteps } from './keyed-snapshot.ts';

/** How TTL state stores a value: the value and the processing time of its last access. */
interface Stamped {
  v: unknown;
  t: number;
}

/** An entry of state `kind` as the snapshot keeps it at time `now`; `undefined` leaves it out. */
function survivor(kind: string, stored: unknown, ttlMs: number, now: number): unknown {
  const live = (w: Stamped) => now - w.t < ttlMs;
  switch (kind) {
    case 'list': {
      const list = stored as Stamped[];
      if (list.every(live)) return list;
      const kept = list.filter(live);
      return kept.length ? kept : undefined;
    }
    case 'map': {
      const map = stored as Map<unknown, Stamped>;
      if ([...map.values()].every(live)) return map;
      const kept = new Map([...map].filter(([, w]) => live(w)));
      return kept.size ? kept : undefined;
    }
    default:
      return live(stored as Stamped) ? stored : undefined;
  }
}

/**
 * A snapshot of `table` (a state of `kind` whose descriptor has a TTL of `ttlMs`) without the
 * entries expired at `now`, the barrier's processing time. Counts the survivors at once (one
 * pass over the state, only for states that asked for this cleanup), then reads the table's
 * copy-on-write snapshot in steps as usual.
 *
 * @example
 * const snap = ttlCleanupSnapshot('value', table, 60_000, clock());
 * while (!snap.step(4096, write));
 */
export function ttlCleanupSnapshot(kind: string, table: StateTable<unknown>, ttlMs: number, now: number): TableSnapshotSteps {
  let count = 0;
  for (const [, , , stored] of table.entries()) if (survivor(kind, stored, ttlMs, now) !== undefined) count++;
  const inner = table.snapshot();
  let written = 0;
  return {
    count,
    step(budget: number, visit: EntryVisitor<unknown>): boolean {
      const done = inner.step(budget, (kg, key, ns, stored) => {
        const kept = survivor(kind, stored, ttlMs, now);
        if (kept === undefined) return;
        written++;
        visit(kg, key, ns, kept);
      });
      if (done && written !== count) {
        throw new Error(`Internal error: a TTL cleanup snapshot wrote ${written} entries, but counted ${count} unexpired at the barrier`);
      }
      return done;
    },
    release: () => inner.release(),
  };
}
