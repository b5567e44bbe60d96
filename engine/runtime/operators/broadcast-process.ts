/**
 * The broadcast state pattern (Flink's `CoBroadcastWithNonKeyedOperator` and
 * `CoBroadcastWithKeyedOperator`). Input 1 is the broadcast side: every subtask receives every
 * broadcast record and may write broadcast state, so that — as long as the function updates it
 * deterministically from the broadcast records alone — the state stays the same on every
 * subtask. Input 0 (the data side) may only read it. Broadcast state is operator state, so it is
 * in checkpoints and every subtask restores the same copy.
 */
import { TwoInputUdfOperator } from './udf-operator.ts';
import { ProcessContexts, processFunctionTimers, timersRefused } from './process.ts';
import { NO_TIMESTAMP } from '../elements.ts';
import type { InternalTimerService } from '../timers.ts';
import type { StreamOperator } from '../operator.ts';
import { instantiateUserFunction } from '../functions.ts';
import type {
  BroadcastContext,
  BroadcastProcessFunction,
  BroadcastState,
  BroadcastStateDescriptorLike,
  Collector,
  OutputTagLike,
  ReadOnlyBroadcastContext,
  ReadOnlyBroadcastState,
  TimerService,
} from '../functions.ts';

/**
 * Broadcast state over the operator state store's map. The data side gets the same object
 * through a read-only view whose writers throw, because plain JavaScript callers are not
 * stopped by the `ReadOnlyBroadcastState` type.
 *
 * @example
 * const rules = new BroadcastStateView<string, number>(new Map(), 'rules', true);
 * rules.put('threshold', 10);
 * rules.get('threshold'); // 10
 */
export class BroadcastStateView<K, V> implements BroadcastState<K, V> {
  constructor(
    private readonly map: Map<K, V>,
    private readonly name: string,
    private readonly writable: boolean,
  ) {}
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  contains(key: K): boolean {
    return this.map.has(key);
  }
  entries(): [K, V][] {
    return [...this.map];
  }
  put(key: K, value: V): void {
    this.checkWritable('put');
    this.map.set(key, value);
  }
  remove(key: K): void {
    this.checkWritable('remove');
    this.map.delete(key);
  }
  clear(): void {
    this.checkWritable('clear');
    this.map.clear();
  }
  private checkWritable(method: string): void {
    if (!this.writable) {
      throw new Error(
        `Broadcast state '${this.name}' is read-only in processElement/onTimer (${method}() called): only processBroadcastElement may change it, so that every subtask keeps the same state`,
      );
    }
  }
}

/** The broadcast states of one operator instance, writable and read-only views by name. */
class BroadcastStates {
  private readonly writable = new Map<string, BroadcastStateView<any, any>>();
  private readonly readOnly = new Map<string, BroadcastStateView<any, any>>();

  constructor(
    private readonly op: StreamOperator,
    names: readonly string[],
  ) {
    // Registering every declared state up front puts even empty ones into checkpoints.
    for (const name of names) {
      const map = op.operatorState.getBroadcastState<unknown, unknown>(name);
      this.writable.set(name, new BroadcastStateView(map, name, true));
      this.readOnly.set(name, new BroadcastStateView(map, name, false));
    }
  }

  get(descriptor: BroadcastStateDescriptorLike<any, any>, writable: boolean): BroadcastStateView<any, any> {
    const name = descriptor?.name;
    const view = (writable ? this.writable : this.readOnly).get(name);
    if (!view) {
      const known = [...this.writable.keys()].map((n) => `'${n}'`).join(', ');
      throw new Error(
        `Operator '${this.op.info.name}' has no broadcast state '${String(name)}': pass its MapStateDescriptor to broadcast(...) (declared: ${known || 'none'})`,
      );
    }
    return view;
  }
}

/** Contexts of the data side and of `onTimer`: the process contexts plus read-only broadcast state. */
class ReadOnlyBroadcastContexts<O> extends ProcessContexts<O> implements ReadOnlyBroadcastContext<any> {
  constructor(
    op: StreamOperator<O>,
    timers: InternalTimerService<number> | undefined,
    watermark: () => number,
    private readonly states: BroadcastStates,
  ) {
    super(op, timers, watermark);
  }
  getBroadcastState<BK, BV>(descriptor: BroadcastStateDescriptorLike<BK, BV>): ReadOnlyBroadcastState<BK, BV> {
    return this.states.get(descriptor, false);
  }
}

/**
 * Context of the broadcast side: writable broadcast state, and in the keyed variant
 * `applyToKeyedState`. It has no current key, so it cannot register timers (as in Flink,
 * whose broadcast-side context has no timer service) and keyed state fails with "No key set".
 */
class BroadcastSideContext<O> implements BroadcastContext, Collector<O> {
  timestampValue = NO_TIMESTAMP;
  private readonly timers: TimerService;

  constructor(
    private readonly op: StreamOperator<O>,
    private readonly states: BroadcastStates,
    watermark: () => number,
    private readonly keyed: boolean,
  ) {
    this.timers = timersRefused(
      op,
      watermark,
      (method) => `Operator '${op.info.name}' calls ${method} in processBroadcastElement, which has no current key: register timers in processElement (keyed), or use applyToKeyedState`,
    );
  }

  timestamp(): number | undefined {
    return this.timestampValue === NO_TIMESTAMP ? undefined : this.timestampValue;
  }
  timerService(): TimerService {
    return this.timers;
  }
  output<X>(tag: OutputTagLike<X>, value: X): void {
    this.op.output.collectSide(tag.id, value, this.timestampValue);
  }
  collect(value: O): void {
    this.op.output.collect(value, this.timestampValue);
  }
  getBroadcastState<BK, BV>(descriptor: BroadcastStateDescriptorLike<BK, BV>): BroadcastState<BK, BV> {
    return this.states.get(descriptor, true);
  }

  /**
   * Runs `fn` once per key that has an entry in keyed state `stateName` on this subtask, with
   * that key current, so the function's state objects read and write that key's entries.
   */
  applyToKeyedState(stateName: string, fn: (key: unknown) => void): void {
    if (!this.keyed) {
      throw new Error(
        `Operator '${this.op.info.name}' calls applyToKeyedState, which needs keyed state: call keyBy(...) on the non-broadcast stream before connect(...)`,
      );
    }
    const name = typeof stateName === 'string' ? stateName : (stateName as { name?: string } | undefined)?.name;
    if (typeof name !== 'string') throw new TypeError('applyToKeyedState(stateName, fn) expects the state name as a string');
    const backend = this.op.requireKeyed('applyToKeyedState');
    try {
      // Keys are copied first, so `fn` may clear the state it iterates.
      for (const key of backend.keysOf(name)) {
        backend.setCurrentKey(key);
        fn(key);
      }
    } finally {
      // Back to no key: the rest of processBroadcastElement has none.
      backend.clearCurrentKey();
    }
  }
}

function checkFunction(fn: unknown): asserts fn is BroadcastProcessFunction<any, any, any, any> {
  const f = fn as Partial<BroadcastProcessFunction<any, any, any, any>> | undefined;
  if (!f || typeof f.processElement !== 'function' || typeof f.processBroadcastElement !== 'function') {
    throw new TypeError('connect(broadcastStream).process() expects an object with processElement(value, ctx, out) and processBroadcastElement(value, ctx, out)');
  }
}

/**
 * `stream.connect(other.broadcast(descriptor)).process(fn)` on a stream that is not keyed
 * (Flink's `CoBroadcastWithNonKeyedOperator`). Input 0 is the data side, input 1 the broadcast
 * side; `stateNames` are the names of the descriptors given to `broadcast(...)`.
 *
 * @example
 * new BroadcastProcessOperator<Event, Rule, Alert>(fn, ['rules'])
 */
export class BroadcastProcessOperator<I, B, O, K = unknown> extends TwoInputUdfOperator<O> {
  protected ctx!: ReadOnlyBroadcastContexts<O>;
  private bctx!: BroadcastSideContext<O>;

  protected readonly fn: BroadcastProcessFunction<I, B, O, K>;

  constructor(
    shared: BroadcastProcessFunction<I, B, O, K>,
    private readonly stateNames: readonly string[],
  ) {
    const fn = instantiateUserFunction(shared);
    super(fn);
    checkFunction(fn);
    this.fn = fn;
  }
  override open() {
    return this.openContexts(undefined);
  }
  /** Creates both sides' contexts (with keyed timers on the data side when given), then opens the function. */
  protected openContexts(timers: InternalTimerService<number> | undefined) {
    const states = new BroadcastStates(this, this.stateNames);
    const wm = () => this.currentWatermark;
    this.ctx = new ReadOnlyBroadcastContexts<O>(this, timers, wm, states);
    this.bctx = new BroadcastSideContext<O>(this, states, wm, timers !== undefined);
    return super.open();
  }
  processElement(value: I, timestamp: number): void {
    this.ctx.timestampValue = timestamp;
    this.fn.processElement(value, this.ctx, this.ctx);
  }
  processElement2(value: B, timestamp: number): void {
    this.bctx.timestampValue = timestamp;
    this.fn.processBroadcastElement(value, this.bctx, this.bctx);
  }
}

/**
 * `keyed.connect(other.broadcast(descriptor)).process(fn)` (Flink's
 * `CoBroadcastWithKeyedOperator`): the data side also has keyed state and timers, `onTimer`
 * reads broadcast state, and the broadcast side can visit every key's state with
 * `ctx.applyToKeyedState(name, fn)`, e.g. to re-evaluate buffered records when a rule changes.
 *
 * @example
 * new KeyedBroadcastProcessOperator<string, Event, Rule, Alert>(fn, ['rules'])
 */
export class KeyedBroadcastProcessOperator<K, I, B, O> extends BroadcastProcessOperator<I, B, O, K> {
  override open() {
    return this.openContexts(processFunctionTimers(this, (timer, domain) => this.ctx.fireTimer(this.fn, timer, domain)));
  }
  override processElement(value: I, timestamp: number): void {
    this.setKeyContextElement(value, 0);
    this.ctx.domain = 'EVENT_TIME';
    super.processElement(value, timestamp);
  }
  override processElement2(value: B, timestamp: number): void {
    // As in Flink, the broadcast side has no key: keyed state used here fails with "No key
    // set" rather than reading the last keyed record's state (applyToKeyedState is the way).
    this.keyedBackend!.clearCurrentKey();
    super.processElement2(value, timestamp);
  }
}
