/**
 * Live control of running replays: the registry lives in the engine core
 * (engine/runtime/replay-control.ts) so that in-process executors can answer the job-control
 * API; replay readers and hosts import it from here as before.
 */
export {
  combineReplayProgress,
  replayControls,
  type ReplayControl,
  type ReplayControlRegistry,
  type ReplayProgress,
  type ReplayRegistration,
  type ReplaySpeed,
} from '../../runtime/replay-control.ts';
