import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BloomFilter } from '../../../engine/state/bloom-filter.ts';

test('no false negatives, false positives near the chosen rate, survives a JSON round trip', () => {
  const f = BloomFilter.create(10_000, 0.01);
  for (let i = 0; i < 10_000; i++) f.add(`id-${i}`);
  for (let i = 0; i < 10_000; i++) assert.ok(f.mightContain(`id-${i}`));
  let fp = 0;
  for (let i = 0; i < 10_000; i++) if (f.mightContain(`other-${i}`)) fp++;
  assert.ok(fp / 10_000 < 0.03, `false-positive rate ${fp / 10_000}`);
  const g = BloomFilter.fromJSON(JSON.parse(JSON.stringify(f)));
  assert.ok(g.mightContain('id-42'));
  assert.equal(g.mightContain('other-1'), f.mightContain('other-1'));
  assert.throws(() => BloomFilter.create(0), /expectedItems must be > 0/);
});
