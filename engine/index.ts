/** The engine core, for any process (no Node, no DOM). Notebooks import `'weir'` (index.node.ts). */
export * from './api/index.ts';
