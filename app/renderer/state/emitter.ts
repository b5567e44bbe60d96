/**
 * A minimal typed event emitter: `event(listener)` subscribes and returns the unsubscribe.
 */

/** Subscribes a listener; returns a function that unsubscribes it. */
export type Event<T> = (listener: (value: T) => void) => () => void;

/**
 * @example
 * const changed = new Emitter<string>();
 * const off = changed.event((id) => console.log(id));
 * changed.fire('c1');
 * off();
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}
