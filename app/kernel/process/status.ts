/**
 * A notebook kernel's state as its indicator shows it (Jupyter's kernel status): `none` (no
 * kernel process: not started yet, shut down, or restarted after an interrupt and not needed
 * since), `idle`, `busy` (a cell queued or running) and `dead` (the process ended by itself; the
 * next run starts a fresh one). Derived from the cell events the kernel sends and from its
 * process starting and ending.
 */
import type { KernelState } from '../../shared/workbench/protocol.ts';
import type { CellStateEvent } from '../../shared/workbench/service.ts';

/**
 * @example
 * const status = new KernelStatus('remote', (state) => send(state));
 * status.processStarted();           // 'idle'
 * status.cellState({ path, cellId: 'c1', status: 'running' }); // 'busy'
 */
export class KernelStatus {
  private readonly active = new Set<string>();
  private process: 'none' | 'alive' | 'dead';
  private last: KernelState;

  /**
   * @param where `local` when cells run in the host's own process (always alive), `remote` for a
   *   kernel process of its own.
   */
  constructor(
    where: 'local' | 'remote',
    private readonly changed: (state: KernelState) => void,
  ) {
    this.process = where === 'local' ? 'alive' : 'none';
    this.last = this.state;
  }

  get state(): KernelState {
    if (this.active.size > 0) return 'busy';
    return this.process === 'alive' ? 'idle' : this.process;
  }

  /** Whether a cell is queued or running. */
  get busy(): boolean {
    return this.active.size > 0;
  }

  cellState(event: CellStateEvent): void {
    if (event.status === 'queued' || event.status === 'running') this.active.add(event.cellId);
    else this.active.delete(event.cellId);
    this.fire();
  }

  processStarted(): void {
    this.process = 'alive';
    this.fire();
  }

  /** The process ended: `crashed` when it ended by itself, not because the host ended it. */
  processEnded(crashed: boolean): void {
    this.process = crashed ? 'dead' : 'none';
    this.active.clear();
    this.fire();
  }

  private fire(): void {
    const state = this.state;
    if (state === this.last) return;
    this.last = state;
    this.changed(state);
  }
}
