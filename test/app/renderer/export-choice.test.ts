import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExportChoice } from '../../../app/renderer/state/export-choice.ts';
import { defaultExportDir, jobSlug } from '../../../app/shared/workbench/export-path.ts';

describe('ExportChoice', () => {
  it('suggests export/<job-slug> for the first job, and follows the chosen job', () => {
    const choice = new ExportChoice('nb/fraud.ts', ['Fraud alerts', 'audit trail']);
    assert.equal(choice.needsChoice, true);
    assert.equal(choice.job, 'Fraud alerts');
    assert.equal(choice.out, 'export/fraud-alerts');
    choice.choose('audit trail');
    assert.equal(choice.out, 'export/audit-trail');
    assert.deepEqual(choice.request(), { path: 'nb/fraud.ts', job: 'audit trail', out: 'export/audit-trail' });
  });

  it('keeps a directory the user typed when the job changes, and goes back to the suggestion when cleared', () => {
    const choice = new ExportChoice('a.ts', ['one', 'two'], 'two');
    assert.equal(choice.job, 'two');
    choice.editOut('jobs/mine ');
    choice.choose('one');
    assert.deepEqual(choice.request(), { path: 'a.ts', job: 'one', out: 'jobs/mine' });
    choice.editOut('  ');
    assert.equal(choice.out, 'export/one');
  });

  it('needs no choice for one job, and has nothing to send for none', () => {
    assert.equal(new ExportChoice('a.ts', ['only']).needsChoice, false);
    const none = new ExportChoice('a.ts', []);
    assert.equal(none.job, undefined);
    assert.equal(none.out, '');
    assert.match((none.request() as { error: string }).error, /starts no job/);
  });

  it('refuses a job the notebook does not have', () => {
    const choice = new ExportChoice('a.ts', ['one'], 'missing');
    assert.equal(choice.job, 'one');
    assert.throws(() => choice.choose('missing'), /no job named 'missing'/);
  });
});

describe('jobSlug', () => {
  it('makes a directory name of any job name', () => {
    assert.equal(jobSlug('Fraud alerts (v2)'), 'fraud-alerts-v2');
    assert.equal(jobSlug('  Crème brûlée / ñ  '), 'creme-brulee-n');
    assert.equal(jobSlug('***'), 'job');
    assert.equal(jobSlug('x'.repeat(100)).length, 64);
    assert.equal(defaultExportDir('sensor averages'), 'export/sensor-averages');
  });
});
