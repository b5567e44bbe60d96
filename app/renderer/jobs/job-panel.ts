/**
 * A job's panel, one per running or finished job, as Flink's Web UI shows a job: status and the
 * controls that can act in it (Stop with savepoint, Cancel and Trigger savepoint while it runs;
 * Rewind on kept checkpoints), replay progress and controls, then three tabs: Overview (the
 * operator graph, per-operator figures, state size and throughput over time, checkpoint history
 * and restarts), SubTasks (per parallel instance) and Exceptions (with causes and stacks).
 */
import type { CheckpointSummary, OperatorMetrics, ReplayAction } from '../../shared/workbench/protocol.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatBytes, formatCount, formatDuration, formatInstant, h } from '../dom.ts';
import { PALETTE } from '../charts/chart-format.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';
import type { JobControls } from './job-controls.ts';
import { CheckpointChart } from './checkpoint-chart.ts';
import { OperatorGraphView } from './operator-graph.ts';
import { SampleChart } from './sample-chart.ts';
import { ReplaySectionView } from './replay-view.ts';
import { SubtaskTableView } from './subtask-table.ts';
import { ExceptionsView } from './exceptions-view.ts';
import { JobTabs } from './job-tabs.ts';

export type { JobControls } from './job-controls.ts';

/** Why a job cannot take savepoints. */
export const SAVEPOINT_UNAVAILABLE = 'Savepoints need checkpoints: enable them in the job with env.enableCheckpointing(intervalMs)';

/** Rows of the checkpoint history shown (the newest). */
const HISTORY_ROWS = 50;

/** One row of the checkpoint history, updated in place so that its Rewind button stays put. */
interface CheckpointRow {
  row: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  rewind: HTMLButtonElement;
}

/** The panel of one job. */
export class JobPanelView {
  readonly element: HTMLElement;
  private readonly status: HTMLElement;
  private readonly elapsed: HTMLElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly cancelButton: HTMLButtonElement;
  private readonly graph: OperatorGraphView;
  private readonly operatorRows = new Map<string, HTMLTableCellElement[]>();
  private readonly checkpointBody: HTMLTableSectionElement;
  private readonly checkpointRows = new Map<number, CheckpointRow>();
  private readonly savepointButton: HTMLButtonElement;
  private readonly savepointLine: HTMLElement;
  private readonly savepointLocation: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly restarts: HTMLElement;
  private readonly error: HTMLElement;
  private readonly stateChart: SampleChart;
  private readonly rateChart: SampleChart;
  private readonly checkpointChart: CheckpointChart | undefined;
  private readonly replays: ReplaySectionView;
  private readonly subtasks: SubtaskTableView;
  private readonly exceptions: ExceptionsView;
  private readonly tabs: JobTabs;

  constructor(
    private readonly job: JobModel,
    private readonly controls: JobControls,
    frames: FrameScheduler,
  ) {
    const d = job.description;
    this.status = h('span', { class: 'job-status' });
    this.elapsed = h('span', { class: 'job-elapsed' });
    this.stopButton = h(
      'button',
      {
        type: 'button',
        title: 'Stop the job with a savepoint (it ends FINISHED); resume from it later',
        onclick: () => void this.stop(),
      },
      'Stop with savepoint',
    );
    this.cancelButton = h('button', { type: 'button', class: 'secondary', title: 'Cancel the job without a savepoint', onclick: () => void controls.cancelJob(d.id) }, 'Cancel');
    this.savepointButton = h('button', { type: 'button', class: 'secondary', title: 'Take a savepoint; the job keeps running', onclick: () => void this.triggerSavepoint() }, 'Trigger savepoint');
    this.savepointLocation = h('code', { class: 'job-savepoint-location' });
    this.savepointLine = h('p', { class: 'job-savepoint', hidden: true, 'aria-live': 'polite' }, 'Savepoint: ', this.savepointLocation);
    this.notice = h('p', { class: 'job-notice', hidden: true, role: 'status' });
    this.replays = new ReplaySectionView((name, action) => void this.controlReplay(name, action));
    this.graph = new OperatorGraphView({ id: d.id, name: d.name, operators: d.operators, edges: d.edges }, (uid) => job.operator(uid));

    const rows = d.operators.map((o) => {
      const cells = [h('td', { class: 'number' }), h('td', { class: 'number' }), h('td', { class: 'number' }), h('td'), h('td', { class: 'number' })];
      this.operatorRows.set(o.uid, cells);
      return h('tr', {}, h('th', { scope: 'row', title: `${o.name} (uid ${o.uid})` }, o.name), h('td', { class: 'number' }, String(o.parallelism)), ...cells);
    });
    const operators = h(
      'table',
      { class: 'job-table operators' },
      h('caption', {}, 'Operators'),
      h('thead', {}, h('tr', {}, ...[['Operator'], ['×', 'Parallelism'], ['In', 'Records in'], ['Out', 'Records out'], ['Rec/s', 'Records per second'], ['Watermark'], ['State', 'State size']].map(([c, title]) => h('th', { scope: 'col', title }, c!)))),
      h('tbody', {}, ...rows),
    );
    this.checkpointBody = h('tbody');
    const checkpoints = h(
      'table',
      { class: 'job-table checkpoints' },
      h('caption', {}, 'Checkpoint history'),
      h('thead', {}, h('tr', {}, ...['ID', 'Status', 'Duration', 'Size', 'Alignment', 'Rewind'].map((c) => h('th', { scope: 'col' }, c)))),
      this.checkpointBody,
    );
    this.restarts = h('p', { class: 'job-restarts' });
    this.error = h('pre', { class: 'job-error', hidden: true });
    this.stateChart = new SampleChart('State size over time', (s) => s.stateBytes, formatBytes, 'bytes', job, frames, PALETTE[0]!);
    this.checkpointChart = job.checkpointing ? new CheckpointChart(job, frames) : undefined;
    this.rateChart = new SampleChart('Source records per second over time', (s) => s.sourceRate, formatCount, 'count', job, frames, PALETTE[2]!);
    this.subtasks = new SubtaskTableView(job);
    this.exceptions = new ExceptionsView(job);
    const overview = h(
      'div',
      { class: 'job-overview' },
      h('div', { class: 'job-graph' }, this.graph.element),
      h('div', { class: 'table-scroll' }, operators),
      h('div', { class: 'job-charts' }, this.stateChart.element, this.rateChart.element),
      checkpoints,
      this.checkpointChart?.element ?? '',
      this.restarts,
    );
    this.tabs = new JobTabs(d.id, [
      { id: 'overview', label: 'Overview', panel: overview },
      { id: 'subtasks', label: 'SubTasks', panel: this.subtasks.element, onShow: () => this.subtasks.update() },
      { id: 'exceptions', label: 'Exceptions', panel: this.exceptions.element, onShow: () => this.exceptions.update() },
    ]);

    this.element = h(
      'section',
      { class: 'job', 'aria-label': `Job: ${d.name}`, dataset: { jobId: d.id } },
      h('header', {}, h('h3', { tabindex: -1, title: `${d.name} (${d.id})` }, d.name), this.status, this.elapsed),
      h(
        'div',
        { class: 'job-controls' },
        this.stopButton,
        this.cancelButton,
        this.savepointButton,
        controls.exportJob ? h('button', { type: 'button', class: 'secondary', title: 'Export this job of the saved notebook, to run it headless with weir run', onclick: () => controls.exportJob?.(d.name) }, 'Export…') : '',
        job.checkpointing ? '' : h('span', { class: 'job-note', title: SAVEPOINT_UNAVAILABLE }, 'No checkpoints: Cancel stops it'),
      ),
      d.restoredFrom ? h('p', { class: 'job-restored' }, `Started from checkpoint ${d.restoredFrom.checkpointId} of ${d.restoredFrom.jobId}`) : '',
      this.savepointLine,
      this.notice,
      this.error,
      this.replays.element,
      this.tabs.element,
    );
    this.update();
  }

  /** Shows the job's latest figures. */
  update(): void {
    const job = this.job;
    this.status.textContent = job.status;
    this.status.dataset.status = job.status;
    this.elapsed.textContent = formatDuration(job.elapsedMs);
    // Only what can act: an ended job has no Stop, Cancel or Trigger savepoint; one that takes no
    // checkpoints has no savepoint to stop with (Cancel stops it).
    this.stopButton.hidden = !job.running || !job.checkpointing;
    this.cancelButton.hidden = !job.running;
    this.savepointButton.hidden = !job.running || !job.checkpointing;
    this.element.dataset.status = job.status;
    this.error.hidden = !job.error;
    this.error.textContent = job.error ?? '';
    for (const o of job.description.operators) {
      const m = job.operator(o.uid);
      const cells = this.operatorRows.get(o.uid)!;
      const rate = o.kind === 'sink' ? m?.recordsInPerSecond : m?.recordsOutPerSecond ?? m?.recordsInPerSecond;
      cells[0]!.textContent = m ? formatCount(m.recordsIn) : '—';
      cells[1]!.textContent = m ? formatCount(m.recordsOut) : '—';
      cells[2]!.textContent = rate === undefined ? '—' : formatCount(rate);
      cells[3]!.textContent = watermarkText(m);
      cells[3]!.title = m?.watermark === undefined ? (m?.watermarkAtEnd ? 'Every input ended: the watermark is at the end of time' : 'No watermark yet') : `${formatInstant(m.watermark)} UTC${m.watermarkAtEnd ? ', then the end of time (every input ended)' : ''}`;
      cells[2]!.title = m?.final ? 'Average over the run' : 'Over the last second';
      cells[4]!.textContent = m?.stateBytes === undefined ? '—' : formatBytes(m.stateBytes);
    }
    this.replays.update(job.replays);
    this.graph.update();
    this.savepointButton.disabled = !job.running || !job.checkpointing;
    const exceptions = this.exceptions.count;
    this.tabs.setLabel('exceptions', exceptions > 0 ? `Exceptions (${exceptions})` : 'Exceptions');
    if (this.tabs.selected === 'subtasks') this.subtasks.update();
    if (this.tabs.selected === 'exceptions') this.exceptions.update();
    this.savepointLine.hidden = job.savepoint === undefined;
    this.savepointLocation.textContent = job.savepoint ?? '';
    this.notice.hidden = job.notice === undefined;
    this.notice.textContent = job.notice ?? '';
    this.showCheckpoints();
    const last = job.restartCauses.at(-1);
    this.restarts.textContent = last ? `Restarts: ${job.restarts} (last ${formatInstant(last.at).slice(11)}: ${last.cause})` : `Restarts: ${job.restarts}`;
    this.restarts.title = job.restartCauses.map((r) => `${formatInstant(r.at)}: ${r.cause}`).join('\n');
    this.stateChart.invalidate();
    this.rateChart.invalidate();
    this.checkpointChart?.invalidate();
  }

  private async stop(): Promise<void> {
    this.stopButton.disabled = true;
    try {
      this.job.noteStop(await this.controls.stopJob(this.job.id));
    } catch (error) {
      this.job.noteFailure('Could not stop the job', error);
    }
    this.update();
  }

  private async triggerSavepoint(): Promise<void> {
    this.savepointButton.disabled = true;
    try {
      this.job.noteSavepoint(await this.controls.triggerSavepoint(this.job.id));
    } catch (error) {
      this.job.noteFailure('No savepoint', error);
    }
    this.update();
  }

  private async controlReplay(name: string, action: ReplayAction): Promise<void> {
    try {
      await this.controls.controlReplay(this.job.id, name, action);
    } catch (error) {
      this.job.noteFailure(`Replay '${name}'`, error);
      this.update();
    }
  }

  private rewind(checkpointId: number): void {
    this.controls.rewind(this.job, checkpointId).catch((error: unknown) => {
      this.job.noteFailure(`Cannot rewind to checkpoint ${checkpointId}`, error);
      this.update();
    });
  }

  /** The newest checkpoints, newest first; rows are kept per checkpoint and updated in place. */
  private showCheckpoints(): void {
    const shown = this.job.checkpoints.slice(-HISTORY_ROWS).reverse();
    if (shown.length === 0) {
      if (this.checkpointBody.dataset.empty !== 'true') {
        const text = this.job.checkpointing ? 'No checkpoints yet' : 'No checkpoints: the job does not take them';
        this.checkpointBody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: 6 }, text)));
        this.checkpointBody.dataset.empty = 'true';
      }
      return;
    }
    if (this.checkpointBody.dataset.empty !== 'false') this.checkpointBody.replaceChildren();
    this.checkpointBody.dataset.empty = 'false';
    const ids = new Set(shown.map((c) => c.id));
    for (const [id, r] of this.checkpointRows) {
      if (!ids.has(id)) {
        r.row.remove();
        this.checkpointRows.delete(id);
      }
    }
    let previous: HTMLTableRowElement | undefined;
    for (const c of shown) {
      const r = this.checkpointRows.get(c.id) ?? this.checkpointRow(c.id);
      fillCheckpointRow(r, c, this.job.running);
      // Newest first: each row goes right after the one before it (a new checkpoint goes on top).
      if (previous ? previous.nextSibling !== r.row : this.checkpointBody.firstChild !== r.row) {
        if (previous) previous.after(r.row);
        else this.checkpointBody.prepend(r.row);
      }
      previous = r.row;
    }
  }

  private checkpointRow(id: number): CheckpointRow {
    const cells = [h('td', { class: 'number' }, String(id)), h('td'), h('td', { class: 'number' }), h('td', { class: 'number' }), h('td', { class: 'number' })];
    const rewind = h('button', { type: 'button', class: 'small secondary', 'aria-label': `Rewind to checkpoint ${id}`, onclick: () => this.rewind(id) }, 'Rewind');
    const row = h('tr', { dataset: { checkpointId: String(id) } }, ...cells, h('td', {}, rewind));
    const r = { row, cells, rewind };
    this.checkpointRows.set(id, r);
    return r;
  }

  dispose(): void {
    this.stateChart.dispose();
    this.rateChart.dispose();
    this.checkpointChart?.dispose();
  }
}

/** An operator's watermark cell: its time of day, `→ end` once every input ended. */
function watermarkText(m: OperatorMetrics | undefined): string {
  if (m?.watermark === undefined) return m?.watermarkAtEnd ? 'end' : '—';
  return `${formatInstant(m.watermark).slice(11)}${m.watermarkAtEnd ? ' → end' : ''}`;
}

function fillCheckpointRow(r: CheckpointRow, c: CheckpointSummary, running: boolean): void {
  const [, status, duration, size, alignment] = r.cells;
  status!.textContent = c.savepoint ? `${c.status} (savepoint)` : c.status;
  status!.title = c.failureReason ?? c.location ?? '';
  r.row.dataset.status = c.status;
  duration!.textContent = c.durationMs === undefined || c.status === 'IN_PROGRESS' ? '—' : formatDuration(c.durationMs);
  size!.textContent = c.sizeBytes === undefined || c.status !== 'COMPLETED' ? '—' : formatBytes(c.sizeBytes);
  alignment!.textContent = c.alignmentMs === undefined || c.status === 'IN_PROGRESS' ? '—' : formatDuration(c.alignmentMs);
  r.rewind.hidden = c.restorable !== true;
  r.rewind.title = running ? `Cancel the job and run its cell again from ${c.savepoint ? 'savepoint' : 'checkpoint'} ${c.id}` : `Run the job's cell again from ${c.savepoint ? 'savepoint' : 'checkpoint'} ${c.id}`;
}
