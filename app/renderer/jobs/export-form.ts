/**
 * The Export form: which job (when the notebook defines several), the directory to write under
 * the served folder (`export/<job-slug>` unless the user types another), and the outcome: the
 * files written and the `weir run` command to copy, or why nothing was written.
 */
import type { ExportRequest, ExportResult } from '../../shared/workbench/protocol.ts';
import { h } from '../dom.ts';
import type { ExportChoice } from '../state/export-choice.ts';

/**
 * The form's element.
 *
 * @example
 * body.append(exportForm(new ExportChoice('fraud.ts', ['fraud alerts']), (request) => service.exportJob(request)));
 */
export function exportForm(choice: ExportChoice, exportJob: (request: ExportRequest) => Promise<ExportResult>): HTMLElement {
  const outcome = h('div', { class: 'export-outcome', 'aria-live': 'polite' });
  const out = h('input', { type: 'text', value: choice.out, spellcheck: 'false', 'aria-describedby': 'export-out-help' });
  out.addEventListener('input', () => choice.editOut(out.value));
  const select = h('select', {}, ...choice.jobs.map((job) => h('option', { value: job, selected: job === choice.job }, job)));
  select.addEventListener('change', () => {
    choice.choose(select.value);
    out.value = choice.out;
  });
  const submit = h('button', { type: 'submit', disabled: choice.job === undefined }, 'Export');
  const form = h(
    'form',
    { class: 'export-form' },
    choice.needsChoice ? h('label', {}, 'Job', select) : h('p', { class: 'export-job' }, choice.job === undefined ? 'This notebook starts no job: a cell must call env.execute() to define one.' : `Job: ${choice.job}`),
    h('label', {}, 'Output directory', out),
    h('p', { id: 'export-out-help', class: 'export-help' }, 'Relative to the served folder. Export writes job.json, bundle.mjs and README.md there, from the saved notebook.'),
    h('div', { class: 'export-actions' }, submit),
    outcome,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const request = choice.request();
    if ('error' in request) {
      showFailure(outcome, request.error);
      return;
    }
    submit.disabled = true;
    outcome.replaceChildren(h('p', { class: 'export-progress' }, `Exporting '${request.job ?? ''}'…`));
    exportJob(request)
      .then((result) => (result.ok ? showSuccess(outcome, result) : showFailure(outcome, result.jobs ? `${result.message} (jobs: ${result.jobs.join(', ')})` : result.message)))
      .catch((error: unknown) => showFailure(outcome, error instanceof Error ? error.message : String(error)))
      .finally(() => (submit.disabled = false));
  });
  return form;
}

function showSuccess(outcome: HTMLElement, result: Extract<ExportResult, { ok: true }>): void {
  const command = h('code', { class: 'export-command' }, result.command);
  const copy = h('button', { type: 'button', class: 'small secondary', 'aria-label': 'Copy the run command' }, 'Copy');
  copy.addEventListener('click', () => {
    navigator.clipboard.writeText(result.command).then(
      () => (copy.textContent = 'Copied'),
      () => {
        // No clipboard (an insecure context): select the text for Ctrl+C instead.
        getSelection()?.selectAllChildren(command);
      },
    );
  });
  outcome.replaceChildren(
    h('p', { class: 'export-done', role: 'status' }, `Exported job '${result.job}' to ${result.dir}`),
    h('ul', { class: 'export-files', 'aria-label': 'Files written' }, ...result.files.map((f) => h('li', {}, h('code', {}, f)))),
    h('p', { class: 'export-run' }, 'Run it headless: ', command, ' ', copy),
  );
}

function showFailure(outcome: HTMLElement, message: string): void {
  outcome.replaceChildren(h('p', { class: 'export-error', role: 'alert' }, `Not exported: ${message}`));
}
