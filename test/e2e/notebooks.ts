/** Notebooks the end-to-end tests and the workbench benchmark make up rather than read from test/fixtures. */

/** A notebook of 50 cells: markdown and code alternating, each code cell a few lines. */
export function fiftyCells(): string {
  const cells: string[] = [];
  for (let i = 0; i < 50; i++) {
    if (i % 2 === 0) cells.push(`// %% [markdown]\n// ## Step ${i / 2 + 1}\n// Some prose about step ${i / 2 + 1}, with **emphasis** and \`code\`.\n`);
    else cells.push(`// %% Step ${i}\nconst value${i} = ${i} * 2;\nconst label${i} = \`value \${value${i}}\`;\nconsole.log(label${i});\n`);
  }
  return cells.join('\n');
}
