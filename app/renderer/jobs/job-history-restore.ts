/**
 * A page that opens a notebook whose kernel has run jobs (after a reload, or in a second window)
 * shows them again from what the host remembers: each job's panel with its figures, charts over
 * time, checkpoints (and so its Rewind buttons) and exceptions, and the live charts under the
 * cells with their newest points. Flink's Web UI reads its completed jobs from the JobManager's
 * archive in the same way.
 */
import type { JobHistorySnapshot } from '../../shared/workbench/service.ts';
import type { NotebookStore } from '../state/notebook-store.ts';

/**
 * Puts the host's history of the open notebook into the store. Jobs and charts the store knows
 * already (their events arrived while the history was on its way) are left as they are.
 *
 * @example
 * restoreJobHistory(store, await service.jobHistory(store.path));
 */
export function restoreJobHistory(store: NotebookStore, snapshot: JobHistorySnapshot): void {
  for (const chart of snapshot.charts) {
    if (chart.path !== store.path || store.charts.has(chart.chart.id)) continue;
    store.applyOutput({ path: chart.path, cellId: chart.cellId, output: { kind: 'chart', chart: chart.chart } });
    // The cell may be gone (edited away before the reload): then so is its chart.
    if (!store.charts.has(chart.chart.id) || chart.series.length === 0) continue;
    store.applyChartPoints({ path: chart.path, cellId: chart.cellId, chartId: chart.chart.id, series: chart.series, ...(chart.upsert ? { upsert: true } : {}) });
  }
  for (const job of snapshot.jobs) {
    if (store.jobs.has(job.description.id)) continue;
    store.applyJobStarted(job.description);
    const model = store.jobs.get(job.description.id);
    if (!model) continue;
    model.restoreSamples(job.samples);
    if (job.update) store.applyJobUpdate(job.update);
  }
}
