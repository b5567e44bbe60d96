/**
 * Each Nexmark query as a plain JavaScript loop over the generated events: no engine, no
 * state backend, no timers, one thread — the most this machine does for the same result, the
 * figure the engine's in-process run is held against. Every loop makes its result rows (so
 * that the work of building them is counted as it is for the engine) and returns how many.
 */
import { NexmarkGenerator } from '../../engine/runtime/sources/nexmark/generator.ts';
import { nexmarkConfig } from '../../engine/runtime/sources/nexmark/config.ts';
import type { Auction, Bid, NexmarkEvent } from '../../engine/runtime/sources/nexmark/model.ts';

type Loop = (events: number, each: (e: NexmarkEvent) => void) => void;

/** Calls `visit` with each of the first `events` events, in order. */
const generate: Loop = (events, visit) => {
  const gen = new NexmarkGenerator(nexmarkConfig({ events }));
  for (let n = 0; n < events; n++) visit(gen.event(n));
};

/** A sink that keeps nothing but cannot be optimised away. */
let kept = 0;
const emit = (row: unknown) => {
  if (row !== undefined) kept++;
};

const windowed = (t: number, size: number) => t - (t % size);

/** The loops, by query. Each resolves with the rows it produced. */
export const NEXMARK_LOOPS: Record<string, (events: number) => number> = {
  q0: (events) => {
    const before = kept;
    generate(events, (e) => {
      if (e.type === 'bid') emit({ auction: e.auction, bidder: e.bidder, price: e.price, dateTime: e.dateTime, extra: e.extra });
    });
    return kept - before;
  },
  q1: (events) => {
    const before = kept;
    generate(events, (e) => {
      if (e.type === 'bid') emit({ auction: e.auction, bidder: e.bidder, price: Math.round(e.price * 908) / 1000, dateTime: e.dateTime, extra: e.extra });
    });
    return kept - before;
  },
  q2: (events) => {
    const before = kept;
    generate(events, (e) => {
      if (e.type === 'bid' && e.auction % 123 === 0) emit({ auction: e.auction, price: e.price });
    });
    return kept - before;
  },
  q3: (events) => {
    const before = kept;
    const sellers = new Map<number, { name: string; city: string; state: string }>();
    const waiting = new Map<number, number[]>();
    generate(events, (e) => {
      if (e.type === 'auction' && e.category === 10) {
        const p = sellers.get(e.seller);
        if (p) emit({ name: p.name, city: p.city, state: p.state, id: e.id });
        else waiting.set(e.seller, [...(waiting.get(e.seller) ?? []), e.id]);
      } else if (e.type === 'person' && (e.state === 'OR' || e.state === 'ID' || e.state === 'CA')) {
        const p = { name: e.name, city: e.city, state: e.state };
        sellers.set(e.id, p);
        for (const id of waiting.get(e.id) ?? []) emit({ ...p, id });
        waiting.delete(e.id);
      }
    });
    return kept - before;
  },
  q4: (events) => {
    // In one ordered stream a bid before its auction is before the auction opened: it never counts.
    const open = new Map<number, { category: number; dateTime: number; expires: number; highest: number }>();
    const perCategory = new Map<number, { sum: number; count: number }>();
    const close = (a: { category: number; highest: number }) => {
      if (a.highest < 0) return;
      const c = perCategory.get(a.category) ?? { sum: 0, count: 0 };
      c.sum += a.highest;
      c.count++;
      perCategory.set(a.category, c);
      emit({ category: a.category, avg: c.sum / c.count });
    };
    let now = 0;
    generate(events, (e) => {
      if (e.type === 'auction') open.set(e.id, { category: e.category, dateTime: e.dateTime, expires: e.expires, highest: -1 });
      else if (e.type === 'bid') {
        const a = open.get(e.auction);
        if (a && e.dateTime >= a.dateTime && e.dateTime <= a.expires && e.price > a.highest) a.highest = e.price;
      }
      // Close the expired auctions once a second of event time.
      if (e.dateTime - now >= 1000) {
        now = e.dateTime;
        for (const [id, a] of open) {
          if (a.expires >= now) continue;
          close(a);
          open.delete(id);
        }
      }
    });
    for (const a of open.values()) close(a);
    return perCategory.size;
  },
  q5: (events) => {
    const before = kept;
    const windows = new Map<number, Map<number, number>>();
    const fire = (start: number) => {
      const counts = windows.get(start)!;
      let max = 0;
      for (const n of counts.values()) max = Math.max(max, n);
      for (const [auction, n] of counts) if (n >= max) emit({ auction, num: n });
      windows.delete(start);
    };
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const last = windowed(e.dateTime, 2000);
      for (let start = last - 8000; start <= last; start += 2000) {
        let counts = windows.get(start);
        if (!counts) windows.set(start, (counts = new Map()));
        counts.set(e.auction, (counts.get(e.auction) ?? 0) + 1);
      }
      for (const start of windows.keys()) if (start + 10_000 <= e.dateTime) fire(start);
    });
    for (const start of [...windows.keys()]) fire(start);
    return kept - before;
  },
  q7: (events) => {
    const before = kept;
    let window = -1;
    let top: Bid[] = [];
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const w = windowed(e.dateTime, 10_000);
      if (w !== window) {
        for (const b of top) emit({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
        window = w;
        top = [];
      }
      if (!top.length || e.price > top[0]!.price) top = [e];
      else if (e.price === top[0]!.price) top.push(e);
    });
    for (const b of top) emit({ auction: b.auction, price: b.price, bidder: b.bidder, dateTime: b.dateTime, extra: b.extra });
    return kept - before;
  },
  q8: (events) => {
    const before = kept;
    let window = -1;
    let people = new Map<number, string>();
    let sellers = new Set<number>();
    const fire = () => {
      for (const [id, name] of people) if (sellers.has(id)) emit({ id, name, starttime: window });
    };
    generate(events, (e) => {
      const w = windowed(e.dateTime, 10_000);
      if (w !== window) {
        fire();
        window = w;
        people = new Map();
        sellers = new Set();
      }
      if (e.type === 'person') people.set(e.id, e.name);
      else if (e.type === 'auction') sellers.add(e.seller);
    });
    fire();
    return kept - before;
  },
  q9: (events) => {
    const before = kept;
    const open = new Map<number, { auction: Auction; best: Bid | undefined }>();
    const close = (a: { auction: Auction; best: Bid | undefined }) => {
      const b = a.best;
      if (b) emit({ ...a.auction, auction: b.auction, bidder: b.bidder, price: b.price, bid_dateTime: b.dateTime, bid_extra: b.extra });
    };
    let now = 0;
    generate(events, (e) => {
      if (e.type === 'auction') open.set(e.id, { auction: e, best: undefined });
      else if (e.type === 'bid') {
        const a = open.get(e.auction);
        if (a && e.dateTime >= a.auction.dateTime && e.dateTime <= a.auction.expires && (!a.best || e.price > a.best.price)) a.best = e;
      }
      if (e.dateTime - now >= 1000) {
        now = e.dateTime;
        for (const [id, a] of open) {
          if (a.auction.expires >= now) continue;
          close(a);
          open.delete(id);
        }
      }
    });
    for (const a of open.values()) close(a);
    return kept - before;
  },
  q11: (events) => {
    const before = kept;
    const sessions = new Map<number, { start: number; last: number; count: number }>();
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const s = sessions.get(e.bidder);
      if (s && e.dateTime - s.last <= 10_000) {
        s.last = e.dateTime;
        s.count++;
      } else {
        if (s) emit({ bidder: e.bidder, bid_count: s.count, starttime: s.start, endtime: s.last + 10_000 });
        sessions.set(e.bidder, { start: e.dateTime, last: e.dateTime, count: 1 });
      }
    });
    for (const [bidder, s] of sessions) emit({ bidder, bid_count: s.count, starttime: s.start, endtime: s.last + 10_000 });
    return kept - before;
  },
  q14: (events) => {
    const before = kept;
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const price = Math.round(e.price * 908) / 1000;
      if (!(price > 1_000_000 && price < 50_000_000)) return;
      const hour = new Date(e.dateTime).getUTCHours();
      let c = 0;
      for (let i = e.extra.indexOf('c'); i >= 0; i = e.extra.indexOf('c', i + 1)) c++;
      const bidTimeType = hour >= 8 && hour <= 18 ? 'dayTime' : hour <= 6 || hour >= 20 ? 'nightTime' : 'otherTime';
      emit({ auction: e.auction, bidder: e.bidder, price, bidTimeType, dateTime: e.dateTime, extra: e.extra, c_counts: c });
    });
    return kept - before;
  },
  q17: (events) => {
    const stats = new Map<string, { total: number; r1: number; r2: number; r3: number; min: number; max: number; sum: number }>();
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const day = new Date(e.dateTime).toISOString().slice(0, 10);
      const key = `${e.auction} ${day}`;
      let s = stats.get(key);
      if (!s) stats.set(key, (s = { total: 0, r1: 0, r2: 0, r3: 0, min: Infinity, max: -Infinity, sum: 0 }));
      s.total++;
      if (e.price < 10_000) s.r1++;
      else if (e.price < 1_000_000) s.r2++;
      else s.r3++;
      s.min = Math.min(s.min, e.price);
      s.max = Math.max(s.max, e.price);
      s.sum += e.price;
      emit({ auction: e.auction, day, total_bids: s.total, rank1_bids: s.r1, rank2_bids: s.r2, rank3_bids: s.r3, min_price: s.min, max_price: s.max, avg_price: Math.floor(s.sum / s.total), sum_price: s.sum });
    });
    return stats.size;
  },
  q21: (events) => {
    const before = kept;
    const known: Record<string, string> = { apple: '0', google: '1', facebook: '2', baidu: '3' };
    const channelId = /(&|^)channel_id=([^&]*)/;
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const id = known[e.channel.toLowerCase()] ?? channelId.exec(e.url)?.[2];
      if (id !== undefined) emit({ auction: e.auction, bidder: e.bidder, price: e.price, channel: e.channel, channel_id: id });
    });
    return kept - before;
  },
  q22: (events) => {
    const before = kept;
    generate(events, (e) => {
      if (e.type !== 'bid') return;
      const parts = e.url.split('/');
      emit({ auction: e.auction, bidder: e.bidder, price: e.price, channel: e.channel, dir1: parts[3] ?? null, dir2: parts[4] ?? null, dir3: parts[5] ?? null });
    });
    return kept - before;
  },
};
