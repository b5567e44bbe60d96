/** `npm run bench`: every benchmark in one run, each line a number, headed by the machine. */
import { machineLine } from './machine.ts';
import { benchEngineCore } from './engine-core.bench.ts';
import { benchWindowOperator } from './window-operator.bench.ts';
import { benchDuckDB } from './duckdb.bench.ts';
import { benchDataPlane } from './data-plane.bench.ts';
import { benchCluster } from './cluster.bench.ts';
import { benchCheckpoints } from './checkpoint.bench.ts';

console.log(machineLine());
console.log(`date: ${new Date().toISOString()}`);
console.log('## engine core, one process, one core');
for (const line of await benchEngineCore()) console.log(line);
console.log('## window operator alone (harness)');
for (const line of await benchWindowOperator()) console.log(line);
console.log('## DuckDB sources');
for (const line of await benchDuckDB()) console.log(line);
console.log('## data plane (codec, sockets)');
for (const line of await benchDataPlane()) console.log(line);
console.log('## worker processes');
for (const line of await benchCluster()) console.log(line);
console.log('## checkpoints (heap backend)');
for (const line of await benchCheckpoints()) console.log(line);
