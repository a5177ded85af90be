-- pivot_hops: candidate continuations. Hop h2 continues hop h1 when h2 leaves h1's target
-- (h2.client_addr = h1.server_addr) and starts inside h1's session window:
--   h1.start_ms - skew_ms <= h2.start_ms <= h1.end_ms + slack_ms
-- Uses the `hops` table (the result of queries/hops.sql with a hop_id column added).
-- Parameters: skew_ms (integer, exporter clock differences, default 2000 in `pivots`);
--             slack_ms (integer, default 0 = during the same session).
-- The join is an equi-join on the pivot host, then the time window as a filter: hops are admin
-- sessions only, few per host, so the pairs per host stay small (see BENCHMARKS.md).
-- Columns: parent_id, child_id
SELECT h1.hop_id AS parent_id, h2.hop_id AS child_id
FROM hops h1
JOIN hops h2 ON h2.client_addr = h1.server_addr
WHERE h2.hop_id <> h1.hop_id
  AND h2.start_ms >= h1.start_ms - $skew_ms
  AND h2.start_ms <= h1.end_ms + $slack_ms
ORDER BY parent_id, child_id;
