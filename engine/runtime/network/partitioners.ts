import type { PartitionerKind } from '../../plan/job-graph.ts';
import { keyGroupOf, keyIdOf, subtaskForKeyGroup } from '../../state/key-groups.ts';
import type { KeySelector } from '../operator.ts';

/** A user partitioner: picks a partition in [0, numPartitions) for a key (Flink's `Partitioner`). */
export type CustomPartitioner<K = any> = (key: K, numPartitions: number) => number;

/**
 * Picks the output channel(s) of one record. Returns a channel index, or -1 for "all channels"
 * (broadcast). Channels are the consumer subtasks this producer subtask is connected to.
 */
export interface ChannelSelector {
  select(value: unknown): number;
  /** True when every record goes to every channel. */
  readonly broadcast: boolean;
}

/** Which consumer subtasks a producer subtask sends to (pointwise patterns for forward/rescale). */
export function connectedConsumers(kind: PartitionerKind, producer: number, producers: number, consumers: number): number[] {
  if (kind === 'forward') return [producer];
  if (kind === 'rescale') {
    // Flink's POINTWISE distribution: each producer feeds a contiguous group of consumers, or
    // several producers feed one consumer.
    if (producers <= consumers) {
      const start = Math.floor((producer * consumers) / producers);
      const end = Math.floor(((producer + 1) * consumers) / producers);
      return range(start, end);
    }
    return [Math.floor((producer * consumers) / producers)];
  }
  return range(0, consumers);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

/** Options a selector may need beyond the kind. */
export interface SelectorOptions {
  keySelector?: KeySelector;
  customPartitioner?: CustomPartitioner;
  maxParallelism: number;
  /** Index of the producer subtask: seeds round robin and shuffle deterministically. */
  producerSubtask: number;
}

/** Builds the selector for a partitioner over `numChannels` connected consumers. */
export function createChannelSelector(kind: PartitionerKind, numChannels: number, opts: SelectorOptions): ChannelSelector {
  switch (kind) {
    case 'forward':
    case 'global':
      return { broadcast: false, select: () => 0 };
    case 'broadcast':
      return { broadcast: true, select: () => -1 };
    case 'rebalance':
    case 'rescale': {
      let next = opts.producerSubtask % numChannels;
      return {
        broadcast: false,
        select: () => {
          const c = next;
          next = next + 1 === numChannels ? 0 : next + 1;
          return c;
        },
      };
    }
    case 'shuffle': {
      let s = (opts.producerSubtask + 1) * 0x9e3779b1;
      return {
        broadcast: false,
        select: () => {
          // xorshift32: deterministic per producer subtask, so runs are reproducible.
          s ^= s << 13;
          s ^= s >>> 17;
          s ^= s << 5;
          return (s >>> 0) % numChannels;
        },
      };
    }
    case 'hash': {
      // One consumer: every key group maps to it; skip hashing (the consumer still validates keys).
      if (numChannels === 1) return { broadcast: false, select: () => 0 };
      const ks = opts.keySelector!;
      const maxP = opts.maxParallelism;
      return {
        broadcast: false,
        select: (v) => subtaskForKeyGroup(keyGroupOf(keyIdOf(ks(v)), maxP), maxP, numChannels),
      };
    }
    case 'custom': {
      const ks = opts.keySelector!;
      const p = opts.customPartitioner!;
      return {
        broadcast: false,
        select: (v) => {
          const c = p(ks(v), numChannels);
          if (!Number.isInteger(c) || c < 0 || c >= numChannels) {
            throw new Error(`Custom partitioner returned ${c}; it must be an integer in [0, ${numChannels})`);
          }
          return c;
        },
      };
    }
  }
}
