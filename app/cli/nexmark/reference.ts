/**
 * nexmark-flink's query SQL (`nexmark-flink/src/main/resources/queries/q*.sql`) in DuckDB's
 * dialect: the independent answer each Nexmark notebook's output is checked against. The
 * tables are `person`, `auction` and `bid` with nexmark's columns; times are epoch ms
 * (BIGINT), so window table functions become GROUP BY on computed window starts:
 *
 * - TUMBLE(dateTime, size): `dateTime - dateTime % size` is the window start;
 * - HOP(dateTime, slide, size): each event is in the windows starting at its slide's start
 *   minus 0, 1, …, size / slide - 1 slides;
 * - SESSION(dateTime, gap): a new session wherever a bidder's next bid is more than `gap`
 *   after the previous one (Flink merges session windows that touch), ending `gap` after the last.
 */

/** How one query's output is compared. */
export interface NexmarkReference {
  /** DuckDB SQL over `person`, `auction` and `bid`. */
  sql: string;
  /** The output columns compared, in both results. */
  columns: string[];
  /**
   * The query's result is a stream of updates (Flink SQL's retractions): compare the last
   * output row per these columns with the reference.
   */
  lastPerKey?: string[];
}

/** Queries with a reference, by name. */
export const NEXMARK_REFERENCES: Record<string, NexmarkReference> = {
  q0: { sql: 'SELECT auction, bidder, price, dateTime, extra FROM bid', columns: ['auction', 'bidder', 'price', 'dateTime', 'extra'] },
  q1: {
    sql: 'SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid',
    columns: ['auction', 'bidder', 'price', 'dateTime', 'extra'],
  },
  q2: { sql: 'SELECT auction, price FROM bid WHERE auction % 123 = 0', columns: ['auction', 'price'] },
  q3: {
    sql: `SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
          WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')`,
    columns: ['name', 'city', 'state', 'id'],
  },
  q4: {
    sql: `SELECT Q.category, AVG(Q.final) AS avg FROM (
            SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
            WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
            GROUP BY A.id, A.category) Q
          GROUP BY Q.category`,
    columns: ['category', 'avg'],
    lastPerKey: ['category'],
  },
  q5: {
    // HOP(INTERVAL '2' SECOND, INTERVAL '10' SECOND): five windows per bid.
    sql: `WITH AuctionBids AS (
            SELECT auction, count(*) AS num, starttime FROM (
              SELECT auction, dateTime - dateTime % 2000 - k AS starttime
              FROM bid, (SELECT unnest(range(0, 10000, 2000)) AS k))
            GROUP BY auction, starttime),
          MaxBids AS (SELECT starttime, max(num) AS maxn FROM AuctionBids GROUP BY starttime)
          SELECT AuctionBids.auction, AuctionBids.num FROM AuctionBids JOIN MaxBids
          ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.num >= MaxBids.maxn`,
    columns: ['auction', 'num'],
  },
  q7: {
    // nexmark-flink's BETWEEN window_end - 10 s AND window_end also takes a bid at exactly the
    // window's end (the next window's first millisecond); the query keeps each window's own bids.
    sql: `SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra FROM bid B
          JOIN (SELECT MAX(price) AS maxprice, dateTime - dateTime % 10000 AS window_start FROM bid GROUP BY window_start) B1
          ON B.price = B1.maxprice
          WHERE B.dateTime >= B1.window_start AND B.dateTime < B1.window_start + 10000`,
    columns: ['auction', 'price', 'bidder', 'dateTime', 'extra'],
  },
  q8: {
    sql: `SELECT P.id, P.name, P.starttime FROM (
            SELECT id, name, dateTime - dateTime % 10000 AS starttime FROM person GROUP BY id, name, starttime) P
          JOIN (
            SELECT seller, dateTime - dateTime % 10000 AS starttime FROM auction GROUP BY seller, starttime) A
          ON P.id = A.seller AND P.starttime = A.starttime`,
    columns: ['id', 'name', 'starttime'],
  },
  q9: {
    // Bids of equal price and time tie in the SQL too: the bidder is not compared.
    sql: `SELECT * FROM (
            SELECT A.*, B.auction, B.bidder, B.price, B.dateTime AS bid_dateTime, B.extra AS bid_extra,
              ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC) AS rownum
            FROM auction A, bid B
            WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires)
          WHERE rownum <= 1`,
    columns: ['id', 'itemName', 'initialBid', 'reserve', 'dateTime', 'expires', 'seller', 'category', 'auction', 'price', 'bid_dateTime'],
  },
  q11: {
    sql: `SELECT bidder, count(*) AS bid_count, min(dateTime) AS starttime, max(dateTime) + 10000 AS endtime FROM (
            SELECT bidder, dateTime,
              sum(CASE WHEN dateTime - prev > 10000 THEN 1 ELSE 0 END) OVER (PARTITION BY bidder ORDER BY dateTime ROWS UNBOUNDED PRECEDING) AS session
            FROM (SELECT bidder, dateTime, lag(dateTime) OVER (PARTITION BY bidder ORDER BY dateTime) AS prev FROM bid))
          GROUP BY bidder, session`,
    columns: ['bidder', 'bid_count', 'starttime', 'endtime'],
  },
};
