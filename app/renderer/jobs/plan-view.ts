/**
 * The Plan view: each job the saved notebook defines, found without running it, drawn as the
 * job panel draws a running job (operator-graph.ts): operators with parallelism, kind and task
 * (chain), edges with partitioners, chained edges dashed; below it the operators' configuration.
 */
import type { JobPlan, NotebookPlan } from '../../shared/workbench/protocol.ts';
import { h } from '../dom.ts';
import { OperatorGraphView } from './operator-graph.ts';

/** What the plan view asks of the app. */
export interface PlanActions {
  /** Opens the Export form for the job. */
  exportJob(job: string): void;
}

/**
 * The plans of one notebook.
 *
 * @example
 * body.append(planView(await service.planJobs('fraud.ts'), { exportJob: (job) => openExport(job) }));
 */
export function planView(plan: NotebookPlan, actions: PlanActions): HTMLElement {
  const failure = plan.error ? h('p', { class: 'plan-error', role: 'alert' }, `A cell failed while the jobs were being found: ${plan.error}`) : '';
  if (plan.jobs.length === 0) {
    return h('div', { class: 'plan' }, failure, h('p', { class: 'plan-empty' }, 'This notebook starts no job: a cell must call env.execute() to define one.'));
  }
  return h('div', { class: 'plan' }, failure, ...plan.jobs.map((job, i) => jobPlanView(job, i, actions)));
}

function jobPlanView(job: JobPlan, index: number, actions: PlanActions): HTMLElement {
  const graph = new OperatorGraphView({ id: `plan-${index}`, name: job.name, operators: job.operators, edges: job.edges });
  const summary = `${job.mode} · ${job.operators.length} operators in ${job.tasks} ${job.tasks === 1 ? 'task' : 'tasks'} · checkpoints ${job.checkpointing} · restarts: ${job.restarts} · defined in cell ${job.cellIndex + 1}`;
  const rows = job.operators.map((o) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', title: `uid ${o.uid}` }, o.name),
      h('td', { class: 'number' }, String(o.parallelism)),
      h('td', { class: 'number' }, o.task === undefined ? '—' : String(o.task)),
      h('td', { class: 'plan-config' }, o.config ?? ''),
    ),
  );
  return h(
    'section',
    { class: 'job-plan', 'aria-label': `Plan: ${job.name}` },
    h('header', {}, h('h3', {}, job.name), h('button', { type: 'button', class: 'small', onclick: () => actions.exportJob(job.name) }, 'Export…')),
    h('p', { class: 'plan-summary' }, summary),
    h('div', { class: 'job-graph' }, graph.element),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'job-table plan-operators' },
        h('caption', {}, 'Operators'),
        h('thead', {}, h('tr', {}, ...['Operator', '×', 'Task', 'Configuration'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows),
      ),
    ),
  );
}
