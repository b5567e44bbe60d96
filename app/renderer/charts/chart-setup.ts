/**
 * Chart.js with only what the workbench draws: line, bar and scatter charts on linear scales
 * and on time scales (dates through date-fns, `chartjs-adapter-date-fns`), with LTTB
 * decimation, legend, title and tooltips.
 */
import 'chartjs-adapter-date-fns';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  TimeScale,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, ScatterController, LinearScale, CategoryScale, TimeScale, Decimation, Filler, Legend, Title, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.color = '#5b6270';

export { Chart };

/**
 * The options every chart the chart worker draws shares: an offscreen canvas at the page's pixel
 * ratio, points already as `{ x, y }` (no parsing), no animation and no pointer events.
 *
 * @example
 * new Chart(canvas, { type: 'line', data, options: { ...workerChartOptions(2), scales } });
 */
export function workerChartOptions(pixelRatio: number) {
  return { animation: false as const, parsing: false as const, normalized: true, responsive: false, devicePixelRatio: pixelRatio, events: [] as never[] };
}
