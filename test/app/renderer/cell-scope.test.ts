import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellAt, joinCells } from '../../../app/renderer/editor/cell-scope.ts';

describe('joinCells / cellAt', () => {
  const joined = joinCells([
    { id: 'c1', source: "import { x } from 'weir';" },
    { id: 'c2', source: '' },
    { id: 'c3', source: 'x.y;\nz;' },
  ]);

  it('joins cells with a line break after each and records their spans', () => {
    assert.equal(joined.text, "import { x } from 'weir';\n\nx.y;\nz;\n");
    assert.deepEqual(joined.spans, [
      { id: 'c1', start: 0, length: 25 },
      { id: 'c2', start: 26, length: 0 },
      { id: 'c3', start: 27, length: 7 },
    ]);
  });

  it('maps document offsets back into cells, cell ends included', () => {
    assert.deepEqual(cellAt(joined.spans, 27 + 4), { span: joined.spans[2], offset: 4 });
    assert.deepEqual(cellAt(joined.spans, 25), { span: joined.spans[0], offset: 25 });
    assert.equal(cellAt(joined.spans, 100), undefined);
    for (const span of joined.spans) assert.equal(joined.text.slice(span.start, span.start + span.length), ['', "import { x } from 'weir';", 'x.y;\nz;'].find((s) => s.length === span.length));
  });
});
