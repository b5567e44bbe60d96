/**
 * A job's panel: status and controls, the operator graph, per-operator figures, state size and
 * throughput over time, checkpoint history and restarts. One per running or finished job.
 */
import type { WorkbenchService } from '../../shared/workbench/service.ts';
import type { JobModel } from '../state/job-model.ts';
import { formatBytes, formatCount, formatDuration, formatInstant, h } from '../dom.ts';
import { PALETTE } from '../charts/chart-format.ts';
import type { FrameScheduler } from '../charts/frame-scheduler.ts';
import { OperatorGraphView } from './operator-graph.ts';
import { SampleChart } from './sample-chart.ts';

/** Why savepoints cannot be triggered yet. */
export const SAVEPOINT_UNAVAILABLE = 'Savepoints need checkpoints, which the engine does not take yet';

/** The part of the service a panel calls. */
export type JobControls = Pick<WorkbenchService, 'stopJob' | 'cancelJob'>;

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
  private readonly restarts: HTMLElement;
  private readonly error: HTMLElement;
  private readonly stateChart: SampleChart;
  private readonly rateChart: SampleChart;

  constructor(
    private readonly job: JobModel,
    controls: JobControls,
    frames: FrameScheduler,
  ) {
    const d = job.description;
    this.status = h('span', { class: 'job-status' });
    this.elapsed = h('span', { class: 'job-elapsed' });
    this.stopButton = h('button', { type: 'button', title: 'Stop the job (until stop-with-savepoint exists, this cancels it)', onclick: () => void controls.stopJob(d.id) }, 'Stop job');
    this.cancelButton = h('button', { type: 'button', class: 'secondary', onclick: () => void controls.cancelJob(d.id) }, 'Cancel');
    const savepoint = h('button', { type: 'button', class: 'secondary', 'aria-disabled': 'true', title: SAVEPOINT_UNAVAILABLE, 'aria-describedby': `savepoint-note-${d.id}` }, 'Trigger savepoint');
    this.graph = new OperatorGraphView(job);

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
      h('thead', {}, h('tr', {}, ...['ID', 'Status', 'Duration', 'Size', 'Alignment'].map((c) => h('th', { scope: 'col' }, c)))),
      this.checkpointBody,
    );
    this.restarts = h('p', { class: 'job-restarts' });
    this.error = h('pre', { class: 'job-error', hidden: true });
    this.stateChart = new SampleChart('State size over time', (s) => s.stateBytes, formatBytes, job, frames, PALETTE[0]!);
    this.rateChart = new SampleChart('Source records per second over time', (s) => s.sourceRate, formatCount, job, frames, PALETTE[2]!);

    this.element = h(
      'section',
      { class: 'job', 'aria-label': `Job: ${d.name}`, dataset: { jobId: d.id } },
      h('header', {}, h('h3', {}, d.name), this.status, this.elapsed),
      h('div', { class: 'job-controls' }, this.stopButton, this.cancelButton, savepoint, h('span', { id: `savepoint-note-${d.id}`, class: 'visually-hidden' }, SAVEPOINT_UNAVAILABLE)),
      this.error,
      h('div', { class: 'job-graph' }, this.graph.element),
      h('div', { class: 'table-scroll' }, operators),
      h('div', { class: 'job-charts' }, this.stateChart.element, this.rateChart.element),
      checkpoints,
      this.restarts,
    );
    this.update();
  }

  /** Shows the job's latest figures. */
  update(): void {
    const job = this.job;
    this.status.textContent = job.status;
    this.status.dataset.status = job.status;
    this.elapsed.textContent = formatDuration(job.elapsedMs);
    this.stopButton.disabled = !job.running;
    this.cancelButton.disabled = !job.running;
    this.error.hidden = !job.error;
    this.error.textContent = job.error ?? '';
    for (const o of job.description.operators) {
      const m = job.operator(o.uid);
      const cells = this.operatorRows.get(o.uid)!;
      const rate = o.kind === 'sink' ? m?.recordsInPerSecond : m?.recordsOutPerSecond ?? m?.recordsInPerSecond;
      cells[0]!.textContent = m ? formatCount(m.recordsIn) : '—';
      cells[1]!.textContent = m ? formatCount(m.recordsOut) : '—';
      cells[2]!.textContent = rate === undefined ? '—' : formatCount(rate);
      cells[3]!.textContent = m?.watermark === undefined ? '—' : formatInstant(m.watermark).slice(11);
      cells[3]!.title = m?.watermark === undefined ? 'No watermark yet' : `${formatInstant(m.watermark)} UTC`;
      cells[4]!.textContent = m?.stateBytes === undefined ? '—' : formatBytes(m.stateBytes);
    }
    this.graph.update();
    if (job.checkpoints.length === 0) {
      if (this.checkpointBody.dataset.empty !== 'true') {
        this.checkpointBody.replaceChildren(h('tr', { class: 'empty' }, h('td', { colspan: 5 }, 'No checkpoints yet')));
        this.checkpointBody.dataset.empty = 'true';
      }
    } else {
      this.checkpointBody.dataset.empty = 'false';
      this.checkpointBody.replaceChildren(
        ...job.checkpoints
          .slice(-50)
          .reverse()
          .map((c) =>
            h('tr', {}, h('td', { class: 'number' }, String(c.id)), h('td', {}, c.status), h('td', { class: 'number' }, c.durationMs === undefined ? '—' : formatDuration(c.durationMs)), h('td', { class: 'number' }, c.sizeBytes === undefined ? '—' : formatBytes(c.sizeBytes)), h('td', { class: 'number' }, c.alignmentMs === undefined ? '—' : formatDuration(c.alignmentMs))),
          ),
      );
    }
    this.restarts.textContent = `Restarts: ${job.restarts}`;
    this.stateChart.invalidate();
    this.rateChart.invalidate();
  }

  dispose(): void {
    this.stateChart.dispose();
    this.rateChart.dispose();
  }
}
