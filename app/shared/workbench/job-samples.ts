/**
 * A job's totals at one update, as the job panel charts them over time (state size, records per
 * second out of the sources). Computed the same way by the host, which keeps them for a page
 * that reloads, and by the page, which adds one per update it receives.
 */
import type { JobDescription, JobSample } from './protocol.ts';
import type { JobUpdateEvent } from './service.ts';

/**
 * The sample of one update: state bytes summed over operators and the sources' output rate
 * (the first operator's, when the plan names no source).
 *
 * @example
 * jobSample(description, event); // { t: 12.5, stateBytes: 20480, sourceRate: 1200 }
 */
export function jobSample(description: JobDescription, event: JobUpdateEvent): JobSample {
  const sample: JobSample = { t: event.elapsedMs / 1000 };
  const states = event.operators.map((o) => o.stateBytes).filter((b): b is number => b !== undefined);
  if (states.length > 0) sample.stateBytes = states.reduce((a, b) => a + b, 0);
  const byUid = new Map(event.operators.map((o) => [o.uid, o]));
  const sources = description.operators.filter((o) => o.kind === 'source').map((o) => byUid.get(o.uid)?.recordsOutPerSecond);
  const rates = (sources.length > 0 ? sources : [event.operators[0]?.recordsOutPerSecond]).filter((r): r is number => r !== undefined);
  if (rates.length > 0) sample.sourceRate = rates.reduce((a, b) => a + b, 0);
  return sample;
}
