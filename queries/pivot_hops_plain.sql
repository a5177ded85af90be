-- pivot_hops_plain: candidate continuations by a plain hash join on the pivot host, the
-- reference for queries/pivot_hops.sql (same result; `pivotflow pivots --join plain` uses it).
-- Hop h2 continues hop h1 when h2 leaves h1's target (h2.client_addr = h1.server_addr) and
-- starts inside h1's session window:
--   h1.start_ms - skew_ms <= h2.start_ms <= h1.end_ms + slack_ms
-- Every inbound × outbound hop pair of a host is checked: a busy jump host with thousands of
-- sessions each way checks millions of pairs (see BENCHMARKS.md).
-- Uses the `hops` table (the result of queries/hops.sql with a hop_id column added).
-- Parameters: skew_ms, slack_ms (integers, as for queries/pivot_hops.sql).
-- Columns: parent_id, child_id
SELECT h1.hop_id AS parent_id, h2.hop_id AS child_id
FROM hops h1
JOIN hops h2 ON h2.client_addr = h1.server_addr
WHERE h2.hop_id <> h1.hop_id
  AND h2.start_ms >= h1.start_ms - $skew_ms
  AND h2.start_ms <= h1.end_ms + $slack_ms
ORDER BY parent_id, child_id;
