/**
 * Timers in snapshots. A snapshot taken at a barrier holds views of the operator's
 * timer sets (`TimersView`, cheap to take); one read back from a checkpoint holds plain lists
 * (`TimerSnapshot[][]`). These helpers read either form.
 */
import type { KeyId } from '../state/key-groups.ts';
import type { NamespaceKey } from '../state/state-table.ts';
import type { InternalTimer, TimerSetView } from './timers.ts';

/** One timer as snapshots store it: [key group, key id, namespace key, time, domain]; 'e' event time, 'p' processing time. */
export type TimerSnapshot = [number, KeyId, NamespaceKey, number, 'e' | 'p'];

/**
 * The timers of an operator at a barrier, per timer service (in creation order): views of its
 * event-time and processing-time sets. Read it (`timerEntries`, `timerLists`) or release it
 * (`releaseTimers`): until then the sets copy what they change.
 *
 * @example
 * const view: TimersView = { form: 'view', services: [{ event: ts.eventTimers.snapshotView(), processing: ts.processingTimers.snapshotView() }] };
 */
export interface TimersView {
  readonly form: 'view';
  readonly services: readonly { readonly event: TimerSetView<unknown>; readonly processing: TimerSetView<unknown> }[];
}

/** Timers of a snapshot in either form. */
export type SnapshotTimers = TimerSnapshot[][] | TimersView;

function isView(timers: SnapshotTimers): timers is TimersView {
  return !Array.isArray(timers);
}

/**
 * How many timer services the snapshot has.
 *
 * @example
 * timerServiceCount([[], []]); // 2
 */
export function timerServiceCount(timers: SnapshotTimers): number {
  return isView(timers) ? timers.services.length : timers.length;
}

/**
 * How many timers service `service` has (all services when omitted).
 *
 * @example
 * timerCount([[[0, 'k', 0, 10, 'e']]]); // 1
 */
export function timerCount(timers: SnapshotTimers, service?: number): number {
  const count = (s: number) => (isView(timers) ? timers.services[s]!.event.count + timers.services[s]!.processing.count : timers[s]!.length);
  if (service !== undefined) return count(service);
  let n = 0;
  for (let s = 0; s < timerServiceCount(timers); s++) n += count(s);
  return n;
}

function entry(t: InternalTimer<unknown>, domain: 'e' | 'p'): TimerSnapshot {
  return [t.keyGroup, t.keyId, t.nsKey, t.timestamp, domain];
}

/**
 * The timers of service `service` as snapshot entries, event-time timers first. Reading a view to
 * the end releases that service's views.
 *
 * @example
 * for (const [keyGroup, keyId, ns, time, domain] of timerEntries(snap.timers!, 0)) write(...);
 */
export function* timerEntries(timers: SnapshotTimers, service: number): IterableIterator<TimerSnapshot> {
  if (!isView(timers)) {
    yield* timers[service]!;
    return;
  }
  const { event, processing } = timers.services[service]!;
  for (const t of event.timers()) yield entry(t, 'e');
  for (const t of processing.timers()) yield entry(t, 'p');
}

/**
 * The timers as plain lists, per service (reads and releases a view).
 *
 * @example
 * const lists = timerLists(op.snapshotState(1).timers!);
 */
export function timerLists(timers: SnapshotTimers): TimerSnapshot[][] {
  if (!isView(timers)) return timers;
  const lists: TimerSnapshot[][] = [];
  for (let s = 0; s < timers.services.length; s++) {
    const list: TimerSnapshot[] = [];
    for (const t of timerEntries(timers, s)) list.push(t);
    lists.push(list);
  }
  return lists;
}

/**
 * Lets go of a view without reading it (the snapshot is not written). Plain lists need nothing.
 *
 * @example
 * if (!written) releaseTimers(snap.timers);
 */
export function releaseTimers(timers: SnapshotTimers | undefined): void {
  if (!timers || !isView(timers)) return;
  for (const s of timers.services) {
    s.event.release();
    s.processing.release();
  }
}
