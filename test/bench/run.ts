/** `npm run bench`: every benchmark in one run, each line a number, headed by the machine. */
import { machineLine } from './machine.ts';
import { benchEngineCore } from './engine-core.bench.ts';

console.log(machineLine());
console.log(`date: ${new Date().toISOString()}`);
for (const line of await benchEngineCore()) console.log(line);
