-- pivot_hops: candidate continuations. Hop h2 continues hop h1 when h2 leaves h1's target
-- (h2.client_addr = h1.server_addr) and starts inside h1's session window:
--   h1.start_ms - skew_ms <= h2.start_ms <= h1.end_ms + slack_ms
-- Time buckets turn the range into an equi-join: each parent is listed once per bucket of
-- bucket_ms that its window touches, each child once, in the bucket of its start; the join on
-- (host, bucket) then only pairs hops that can match, and the window test runs on those. A
-- child's start lies in exactly one bucket, so no pair comes out twice. Same result as the
-- plain hash join in queries/pivot_hops_plain.sql (tested), which checks every inbound ×
-- outbound pair of a host.
-- Uses the `hops` table (the result of queries/hops.sql with a hop_id column added).
-- Parameters: skew_ms (integer, exporter clock differences, default 2000 in `pivots`);
--             slack_ms (integer, default 0 = during the same session);
--             bucket_ms (integer, default 300000 = 5 minutes in `pivots`).
-- Portability: FLOOR(a / b) is integer division in DataFusion and in engines whose `/` is
-- real division (DuckDB); unnest(range(a, b)) is DuckDB's spelling too, Spark's is
-- explode(sequence(a, b - 1)).
-- Columns: parent_id, child_id
WITH parents AS (
    SELECT hop_id, server_addr, start_ms, end_ms,
           unnest(range(CAST(FLOOR((start_ms - $skew_ms) / $bucket_ms) AS BIGINT),
                        CAST(FLOOR((end_ms + $slack_ms) / $bucket_ms) AS BIGINT) + 1)) AS bucket
    FROM hops
),
children AS (
    SELECT hop_id, client_addr, start_ms,
           CAST(FLOOR(start_ms / $bucket_ms) AS BIGINT) AS bucket
    FROM hops
)
SELECT p.hop_id AS parent_id, c.hop_id AS child_id
FROM parents p
JOIN children c ON c.client_addr = p.server_addr AND c.bucket = p.bucket
WHERE c.hop_id <> p.hop_id
  AND c.start_ms >= p.start_ms - $skew_ms
  AND c.start_ms <= p.end_ms + $slack_ms
ORDER BY parent_id, child_id;
