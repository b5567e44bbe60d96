/**
 * Chart.js with only what the workbench draws: line, bar and scatter charts on linear scales,
 * with LTTB decimation, legend, title and tooltips.
 */
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
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, ScatterController, LinearScale, CategoryScale, Decimation, Filler, Legend, Title, Tooltip);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.color = '#5b6270';

export { Chart };
