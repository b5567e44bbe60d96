import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseNotebook, serializeNotebook } from '../../../../app/shared/notebook/format.ts';
import type { CellKind, Notebook, NotebookCell } from '../../../../app/shared/notebook/model.ts';

/** The parts of a cell that say what it is, without positions and raw text. */
function content(nb: Notebook): Array<Pick<NotebookCell, 'kind' | 'title' | 'source'>> {
  return nb.cells.map(({ kind, title, source }) => (title === undefined ? { kind, source } : { kind, title, source }));
}

describe('parseNotebook', () => {
  it('reads code, markdown and sql cells with titles and positions', () => {
    const text = [
      '// %% Load data', // 1
      "import { x } from 'weir';", // 2
      'const a = 1;', // 3
      '', // 4
      '// %% [markdown] Intro', // 5
      '// # Sensors', // 6
      '//', // 7
      '// Averages per minute.', // 8
      '', // 9
      '// %% [sql]', // 10
      "// SELECT * FROM 'a.csv'", // 11
      'WHERE x > 1', // 12
      '',
    ].join('\n');
    const nb = parseNotebook(text);
    assert.deepEqual(content(nb), [
      { kind: 'code', title: 'Load data', source: "import { x } from 'weir';\nconst a = 1;" },
      { kind: 'markdown', title: 'Intro', source: '# Sensors\n\nAverages per minute.' },
      { kind: 'sql', source: "SELECT * FROM 'a.csv'\nWHERE x > 1" },
    ]);
    assert.deepEqual(
      nb.cells.map((c) => [c.markerLine, c.startLine]),
      [
        [1, 2],
        [5, 6],
        [10, 11],
      ],
    );
  });

  it('turns lines before the first marker into an implicit code cell', () => {
    const nb = parseNotebook("import fs from 'node:fs';\n\n// %%\nfs.readFileSync;\n");
    assert.deepEqual(content(nb), [
      { kind: 'code', source: "import fs from 'node:fs';" },
      { kind: 'code', source: 'fs.readFileSync;' },
    ]);
    assert.equal(nb.cells[0]!.markerLine, 0);
    assert.equal(nb.cells[0]!.startLine, 1);
    assert.equal(nb.cells[1]!.startLine, 4);
  });

  it('keeps blank lines before the first marker out of the cells, and in the file', () => {
    const text = '\n\n// %%\nx;\n';
    const nb = parseNotebook(text);
    assert.deepEqual(content(nb), [{ kind: 'code', source: 'x;' }]);
    assert.equal(nb.cells[0]!.startLine, 4);
    assert.equal(serializeNotebook(nb), text);
  });

  it('takes the first non-blank line as a cell start, and keeps blank lines inside code', () => {
    const nb = parseNotebook('// %%\n\n\nconst a = 1;\n\n\nconst b = 2;\n\n\n// %%\n');
    assert.equal(nb.cells[0]!.source, 'const a = 1;\n\n\nconst b = 2;');
    assert.equal(nb.cells[0]!.startLine, 4);
    assert.deepEqual(content(nb)[1], { kind: 'code', source: '' });
    assert.equal(nb.cells[1]!.startLine, 11);
  });

  it('accepts marker variants and rejects look-alikes', () => {
    const nb = parseNotebook(
      [
        '//%% tight',
        'a;',
        '// %%   [MD]   Shouting  ',
        '// text',
        '// %% [raw] not a kind',
        'b;',
        '// %%%',
        '  // %% indented',
        '// %%[markdown]',
        'c;',
      ].join('\n'),
    );
    assert.deepEqual(content(nb), [
      { kind: 'code', title: 'tight', source: 'a;' },
      { kind: 'markdown', title: 'Shouting', source: 'text' },
      // `// %%%`, an indented marker and `%%[` are code, not markers.
      { kind: 'code', title: '[raw] not a kind', source: 'b;\n// %%%\n  // %% indented\n// %%[markdown]\nc;' },
    ]);
  });

  it('strips one comment prefix from markdown and sql, and keeps raw sql lines', () => {
    const nb = parseNotebook('// %% [markdown]\n//     indented code\n//no space\nplain line\n// %% [sql]\nSELECT 1\n// -- a comment\n');
    assert.equal(nb.cells[0]!.source, '    indented code\nno space\nplain line');
    assert.equal(nb.cells[1]!.source, 'SELECT 1\n-- a comment');
  });

  it('handles CRLF: sources without \\r, right lines, exact round trip', () => {
    const text = '// %% A\r\nconst a = 1;\r\n\r\n// %% [markdown]\r\n// hi\r\n// there\r\n';
    const nb = parseNotebook(text);
    assert.equal(nb.eol, '\r\n');
    assert.deepEqual(content(nb), [
      { kind: 'code', title: 'A', source: 'const a = 1;' },
      { kind: 'markdown', source: 'hi\nthere' },
    ]);
    assert.deepEqual(
      nb.cells.map((c) => c.startLine),
      [2, 5],
    );
    assert.equal(serializeNotebook(nb), text);
    // An edited cell is written with the file's line ending.
    nb.cells[0]!.source = 'const a = 2;';
    assert.equal(serializeNotebook(nb), '// %% A\r\nconst a = 2;\r\n\r\n// %% [markdown]\r\n// hi\r\n// there\r\n');
  });

  it('recognises a marker after a byte-order mark', () => {
    const nb = parseNotebook('\uFEFF// %% [markdown]\n// hi\n');
    assert.deepEqual(content(nb), [{ kind: 'markdown', source: 'hi' }]);
  });

  it('reads an empty or blank file as a notebook without cells', () => {
    assert.deepEqual(parseNotebook('').cells, []);
    const blank = parseNotebook('\n  \n');
    assert.deepEqual(blank.cells, []);
    assert.equal(serializeNotebook(blank), '\n  \n');
  });
});

describe('serializeNotebook', () => {
  it('writes new cells in canonical form, one blank line apart', () => {
    const nb: Notebook = {
      cells: [
        { kind: 'code', title: 'Load', source: 'const a = 1;', markerLine: 0, startLine: 0 },
        { kind: 'markdown', source: '# Title\n\nText', markerLine: 0, startLine: 0 },
        { kind: 'sql', source: 'SELECT 1', markerLine: 0, startLine: 0 },
      ],
    };
    assert.equal(
      serializeNotebook(nb),
      '// %% Load\nconst a = 1;\n\n// %% [markdown]\n// # Title\n//\n// Text\n\n// %% [sql]\n// SELECT 1\n',
    );
  });

  it('writes an implicit first cell without a marker', () => {
    const nb: Notebook = { cells: [{ kind: 'code', source: "import 'x';", markerLine: 0, startLine: 1 }] };
    assert.equal(serializeNotebook(nb), "import 'x';\n");
  });

  it('keeps unedited cells byte for byte and rewrites edited ones', () => {
    const text = '//%%   odd   spacing\nconst a = 1;\n\n\n\n// %% [md]\n//no space\n// %% last\nx;';
    const nb = parseNotebook(text);
    nb.cells[1]!.source = 'edited';
    // The last cell had no final line break, and keeps it that way while nothing follows it.
    assert.equal(serializeNotebook(nb), '//%%   odd   spacing\nconst a = 1;\n\n\n\n// %% [markdown]\n// edited\n\n// %% last\nx;');
    nb.cells.push({ kind: 'code', source: 'y;', markerLine: 0, startLine: 0 });
    assert.equal(serializeNotebook(nb).endsWith('// %% last\nx;\n// %%\ny;\n'), true);
  });
});

// Generators for the round-trip properties.
const lineChars = fc.constantFrom('a', 'b', ' ', '\t', '/', '%', '[', ']', '{', '}', ';', 'é', '#', '=', '1');
const anyLine = fc.string({ unit: lineChars, maxLength: 12 });
const markerLike = /^\uFEFF?\/\/[ \t]*%%(?=[ \t]|$)/;
/** A markdown or SQL line that does not become a marker once commented out. */
const proseLine = anyLine.filter((line) => !/^[ \t]*%%(?=[ \t]|$)/.test(line));
const codeLine = anyLine.filter((line) => !markerLike.test(line));
const blank = (line: string): boolean => line.trim() === '';
const codeSource = fc.array(codeLine, { maxLength: 5 }).filter((lines) => lines.length === 0 || (!blank(lines[0]!) && !blank(lines.at(-1)!)));
const title = fc.option(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,10}[A-Za-z0-9]$/), { nil: undefined });

const cellArb: fc.Arbitrary<NotebookCell> = fc
  .record({
    kind: fc.constantFrom<CellKind>('code', 'markdown', 'sql'),
    title,
    code: codeSource,
    prose: fc.array(proseLine, { maxLength: 5 }),
  })
  .map(({ kind, title, code, prose }) => {
    const cell: NotebookCell = { kind, source: (kind === 'code' ? code : prose).join('\n'), markerLine: 1, startLine: 2 };
    if (title !== undefined) cell.title = title;
    return cell;
  });

/** Arbitrary files: markers of every kind, comments, code, blank lines, mixed line endings. */
const fileArb = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('// %%', '// %% Title', '//%%', '// %% [markdown]', '// %% [sql] q', '// %% [md]', '// %% [x] y', '', '  ', '//', '// %%%'),
        anyLine,
        anyLine.map((line) => `// ${line}`),
      ),
      fc.constantFrom('\n', '\r\n'),
    ),
    { maxLength: 14 },
  )
  .chain((lines) => fc.boolean().map((finalBreak) => lines.map(([l, eol], i) => l + (i < lines.length - 1 || finalBreak ? eol : '')).join('')));

describe('percent format round trip (properties)', () => {
  it('serialize(parse(text)) === text for any text', () => {
    fc.assert(
      fc.property(fileArb, (text) => {
        assert.equal(serializeNotebook(parseNotebook(text)), text);
      }),
      { numRuns: 500 },
    );
  });

  it('parse(serialize(parse(text))) equals parse(text)', () => {
    fc.assert(
      fc.property(fileArb, (text) => {
        const once = parseNotebook(text);
        assert.deepEqual(parseNotebook(serializeNotebook(once)), once);
      }),
      { numRuns: 300 },
    );
  });

  it('startLine points at the first source line in the file', () => {
    fc.assert(
      fc.property(fileArb, (text) => {
        const lines = text.split(/\r?\n/);
        for (const cell of parseNotebook(text).cells) {
          if (cell.source === '') continue;
          const fileLines = lines.slice(cell.startLine - 1, cell.startLine - 1 + cell.source.split('\n').length);
          const read = cell.kind === 'code' ? fileLines : fileLines.map((line) => line.replace(/^\/\/ ?/, ''));
          assert.equal(read.join('\n'), cell.source);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a notebook built in code re-parses to the same cells, and writing is stable', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { maxLength: 6 }), fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'), (cells, eol) => {
        const nb: Notebook = { cells, eol };
        const text = serializeNotebook(nb);
        const reparsed = parseNotebook(text);
        assert.deepEqual(content(reparsed), content(nb));
        assert.equal(serializeNotebook(reparsed), text);
      }),
      { numRuns: 500 },
    );
  });

  it('editing one cell leaves the text of the others untouched', () => {
    fc.assert(
      fc.property(fc.array(cellArb, { minLength: 2, maxLength: 5 }), fc.nat(), codeSource, (cells, pick, edit) => {
        const original = parseNotebook(serializeNotebook({ cells }));
        const edited = parseNotebook(serializeNotebook({ cells }));
        const index = pick % edited.cells.length;
        edited.cells[index] = { ...edited.cells[index]!, kind: 'code', source: edit.join('\n') };
        const reparsed = parseNotebook(serializeNotebook(edited));
        assert.deepEqual(content(reparsed), content(edited));
        reparsed.cells.forEach((cell, i) => {
          if (i !== index && i !== index - 1) assert.equal(cell.raw, original.cells[i]!.raw);
        });
      }),
      { numRuns: 300 },
    );
  });
});
