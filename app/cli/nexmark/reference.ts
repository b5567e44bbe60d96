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
  q14: {
    // HOUR of a TIMESTAMP in UTC; count_char(extra, 'c') as the length the 'c's add.
    sql: `SELECT auction, bidder, 0.908 * price AS price,
            CASE WHEN hour(epoch_ms(dateTime)) >= 8 AND hour(epoch_ms(dateTime)) <= 18 THEN 'dayTime'
                 WHEN hour(epoch_ms(dateTime)) <= 6 OR hour(epoch_ms(dateTime)) >= 20 THEN 'nightTime'
                 ELSE 'otherTime' END AS bidTimeType,
            dateTime, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
          FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`,
    columns: ['auction', 'bidder', 'price', 'bidTimeType', 'dateTime', 'extra', 'c_counts'],
  },
  q15: {
    sql: `SELECT strftime(epoch_ms(dateTime), '%Y-%m-%d') AS day,
            count(*) AS total_bids,
            count(*) FILTER (WHERE price < 10000) AS rank1_bids,
            count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
            count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
            count(DISTINCT bidder) AS total_bidders,
            count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
            count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
            count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
            count(DISTINCT auction) AS total_auctions,
            count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
            count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
            count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
          FROM bid GROUP BY day`,
    columns: ['day', 'total_bids', 'rank1_bids', 'rank2_bids', 'rank3_bids', 'total_bidders', 'rank1_bidders', 'rank2_bidders', 'rank3_bidders', 'total_auctions', 'rank1_auctions', 'rank2_auctions', 'rank3_auctions'],
    lastPerKey: ['day'],
  },
  q16: {
    sql: `SELECT channel, strftime(epoch_ms(dateTime), '%Y-%m-%d') AS day, max(strftime(epoch_ms(dateTime), '%H:%M')) AS minute,
            count(*) AS total_bids,
            count(*) FILTER (WHERE price < 10000) AS rank1_bids,
            count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
            count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
            count(DISTINCT bidder) AS total_bidders,
            count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
            count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
            count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
            count(DISTINCT auction) AS total_auctions,
            count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
            count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
            count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
          FROM bid GROUP BY channel, day`,
    columns: ['channel', 'day', 'minute', 'total_bids', 'rank1_bids', 'rank2_bids', 'rank3_bids', 'total_bidders', 'rank1_bidders', 'rank2_bidders', 'rank3_bidders', 'total_auctions', 'rank1_auctions', 'rank2_auctions', 'rank3_auctions'],
    lastPerKey: ['channel', 'day'],
  },
  q17: {
    // Flink's AVG of a BIGINT is a BIGINT: truncated.
    sql: `SELECT auction, strftime(epoch_ms(dateTime), '%Y-%m-%d') AS day, count(*) AS total_bids,
            count(*) FILTER (WHERE price < 10000) AS rank1_bids,
            count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
            count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
            min(price) AS min_price, max(price) AS max_price, CAST(floor(avg(price)) AS BIGINT) AS avg_price, sum(price) AS sum_price
          FROM bid GROUP BY auction, day`,
    columns: ['auction', 'day', 'total_bids', 'rank1_bids', 'rank2_bids', 'rank3_bids', 'min_price', 'max_price', 'avg_price', 'sum_price'],
    lastPerKey: ['auction', 'day'],
  },
  q18: {
    // Bids of one bidder on one auction in the same millisecond tie: only their time is compared.
    sql: `SELECT auction, bidder, dateTime FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) AS rank_number FROM bid)
          WHERE rank_number <= 1`,
    columns: ['auction', 'bidder', 'dateTime'],
    lastPerKey: ['bidder', 'auction'],
  },
  q19: {
    // Bids of equal price tie for a rank: only the price at each rank is compared.
    sql: `SELECT auction, price, rank_number FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number FROM bid)
          WHERE rank_number <= 10`,
    columns: ['auction', 'rank_number', 'price'],
    lastPerKey: ['auction', 'rank_number'],
  },
  q20: {
    sql: `SELECT auction, bidder, price, channel, url, B.dateTime AS bid_dateTime, B.extra AS bid_extra,
            itemName, description, initialBid, reserve, A.dateTime AS auction_dateTime, expires, seller, category, A.extra AS auction_extra
          FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10`,
    columns: ['auction', 'bidder', 'price', 'channel', 'bid_dateTime', 'bid_extra', 'itemName', 'initialBid', 'auction_dateTime', 'expires', 'seller', 'category'],
  },
  q21: {
    // DuckDB's regexp_extract gives '' where Flink's REGEXP_EXTRACT gives NULL.
    sql: `SELECT auction, bidder, price, channel,
            CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
                 WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
                 ELSE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) END AS channel_id
          FROM bid
          WHERE regexp_extract(url, '(&|^)channel_id=([^&]*)', 2) <> '' OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`,
    columns: ['auction', 'bidder', 'price', 'channel', 'channel_id'],
  },
  q22: {
    // SPLIT_INDEX counts from 0, split_part from 1.
    sql: `SELECT auction, bidder, price, channel, split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3 FROM bid`,
    columns: ['auction', 'bidder', 'price', 'channel', 'dir1', 'dir2', 'dir3'],
  },
};
