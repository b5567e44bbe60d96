/**
 * The seek slider's step: round units of event time, at most 1000 positions over the replay's
 * range, so that arrow keys move a sensible amount whatever the range.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seekStep } from '../../../app/renderer/jobs/replay-view.ts';

describe('seekStep', () => {
  it('picks the finest round unit with at most 1000 positions', () => {
    assert.equal(seekStep(500), 1, 'half a second: milliseconds');
    assert.equal(seekStep(3_600_000), 10_000, 'an hour: 10 seconds');
    assert.equal(seekStep(24 * 3_600_000), 300_000, 'a day: 5 minutes');
    assert.equal(seekStep(365 * 86_400_000), 86_400_000, 'a year: days');
  });

  it('divides ranges beyond the largest unit into 1000 steps', () => {
    const tenYears = 3650 * 86_400_000;
    assert.equal(seekStep(tenYears), Math.ceil(tenYears / 1000));
  });
});
