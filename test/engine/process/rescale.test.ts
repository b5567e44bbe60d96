/**
 * Rescaling from a savepoint on two taskmanagers (test/harness/cluster-rescale.ts), with the
 * paced sources: a generator and a user's own source; 2 → 3, 3 → 1 and 1 → 2 each. The full
 * p × q matrix of all five source kinds runs in this process in
 * test/engine/checkpoint/rescale.test.ts; the replay source is in rescale-files.test.ts.
 */
import { describeClusterRescale, rescaleCases } from '../../harness/cluster-rescale.ts';

describeClusterRescale(
  'rescale from a savepoint on two taskmanagers',
  rescaleCases(
    ['generator', 'user'],
    [
      [2, 3],
      [3, 1],
      [1, 2],
    ],
  ),
);
