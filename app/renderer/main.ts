/**
 * The renderer's entry: starts the workbench page, and exposes the figures the end-to-end
 * tests and benchmarks read (`window.weirPerf`).
 */
import './styles.css';
import { describeChart, measureChart } from './charts/chart-client.ts';
import { chartDraws } from './state/perf.ts';
import { WorkbenchApp } from './workbench-app.ts';

declare global {
  interface Window {
    weirPerf: { chartDraws: typeof chartDraws; measureChart: typeof measureChart; describeChart: typeof describeChart };
  }
}

window.weirPerf = { chartDraws, measureChart, describeChart };
new WorkbenchApp().start(document.getElementById('app')!).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  document.getElementById('app')!.textContent = `The workbench could not start: ${message}`;
});
