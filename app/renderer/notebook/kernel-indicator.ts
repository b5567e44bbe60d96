/**
 * The open notebook's kernel in the top bar, as in Jupyter: a dot and a word for its state
 * (no kernel, idle, busy, dead) and the Restart and Shut down actions. Restart asks first,
 * since what the cells defined is lost.
 */
import type { KernelState } from '../../shared/workbench/protocol.ts';
import { h } from '../dom.ts';

/** What the indicator's buttons do. */
export interface KernelActions {
  restart(): Promise<void>;
  shutdown(): Promise<void>;
}

const LABELS: Record<KernelState, string> = { none: 'No kernel', idle: 'Kernel idle', busy: 'Kernel busy', dead: 'Kernel dead' };
const TITLES: Record<KernelState, string> = {
  none: 'No kernel runs for this notebook; running a cell starts one',
  idle: "The notebook's kernel is running and waiting for cells",
  busy: "The notebook's kernel is running cells",
  dead: "The notebook's kernel process ended by itself; running a cell starts a new one",
};

/**
 * @example
 * const kernel = new KernelIndicator({ restart, shutdown });
 * topbar.append(kernel.element);
 * kernel.show('busy');
 */
export class KernelIndicator {
  readonly element: HTMLElement;
  private readonly label = h('span', { class: 'kernel-label' });
  private readonly restartButton: HTMLButtonElement;
  private readonly shutdownButton: HTMLButtonElement;
  private state: KernelState = 'none';

  constructor(private readonly actions: KernelActions) {
    this.restartButton = h('button', { type: 'button', class: 'small secondary', title: 'Restart the kernel: what the cells defined is lost; running jobs go on', onclick: () => void this.restart() }, 'Restart');
    this.shutdownButton = h('button', { type: 'button', class: 'small secondary', title: 'Shut the kernel down; running jobs go on', onclick: () => void this.run(() => this.actions.shutdown()) }, 'Shut down');
    this.element = h('span', { class: 'kernel', role: 'group', 'aria-label': 'Kernel' }, h('span', { class: 'kernel-state', role: 'status' }, h('span', { class: 'kernel-dot', 'aria-hidden': 'true' }), this.label), this.restartButton, this.shutdownButton);
    this.element.hidden = true;
    this.show('none');
  }

  /** Shows a state; `hidden` before a notebook is open. */
  show(state: KernelState): void {
    this.state = state;
    this.element.hidden = false;
    this.element.dataset.state = state;
    this.label.textContent = LABELS[state];
    this.element.title = TITLES[state];
    this.shutdownButton.disabled = state === 'none' || state === 'dead';
  }

  private async restart(): Promise<void> {
    if (this.state === 'busy' && !window.confirm('Cells are running. Restart the kernel anyway?')) return;
    await this.run(() => this.actions.restart());
  }

  private async run(action: () => Promise<void>): Promise<void> {
    this.restartButton.disabled = true;
    this.shutdownButton.disabled = true;
    try {
      await action();
    } finally {
      this.restartButton.disabled = false;
      this.show(this.state);
    }
  }
}
