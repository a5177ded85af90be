-- exporter_health: per exporter, what its flow records say about it.
-- Parameters: none (scope with --since/--until).
-- Columns: exporter_addr, records, versions, domains, first_arrival_ms, last_arrival_ms,
--   export_delay_p50_ms / max_ms (arrival - flow end: exporter cache timeouts),
--   clock_ahead (records ending > 1 s after they arrived: exporter clock ahead of ours),
--   untimed (records whose exporter gave no usable time: time_source export_time/arrival).
-- Sequence gaps, held/replayed/expired template-less data and decode errors are counted by
-- the collector itself: see `capture --stats-json` and its log.
-- How: one pass over the flows groups them by exporter, version, domain and export delay (a
-- few rows per exporter: delays repeat), and everything is read off that histogram, including
-- the exact median delay (the middle delay, or the two middle ones averaged and truncated, as
-- median() does): median() itself keeps every value of the period (800 MB and most of the time
-- at 100 M flows). `per_delay` is used once on purpose: DataFusion inlines a CTE at each use, and
-- three uses were three scans of the store.
WITH per_delay AS (
    SELECT exporter_addr, flow_version, observation_domain_id,
           received_ms - flow_end_ms AS delay_ms,
           COUNT(*) AS n,
           MIN(received_ms) AS first_arrival_ms,
           MAX(received_ms) AS last_arrival_ms,
           SUM(CASE WHEN time_source IN ('export_time', 'arrival') THEN 1 ELSE 0 END) AS untimed
    FROM flows
    GROUP BY exporter_addr, flow_version, observation_domain_id, received_ms - flow_end_ms
),
ranked AS (
    -- upto: records of the exporter with this delay or a smaller one (rows in delay order).
    SELECT *,
           SUM(n) OVER (PARTITION BY exporter_addr ORDER BY delay_ms ROWS UNBOUNDED PRECEDING) AS upto,
           SUM(n) OVER (PARTITION BY exporter_addr) AS total
    FROM per_delay
)
SELECT exporter_addr,
       SUM(n) AS records,
       string_agg(DISTINCT CAST(flow_version AS VARCHAR), ',' ORDER BY CAST(flow_version AS VARCHAR)) AS versions,
       COUNT(DISTINCT observation_domain_id) AS domains,
       MIN(first_arrival_ms) AS first_arrival_ms,
       MAX(last_arrival_ms) AS last_arrival_ms,
       CAST((MIN(CASE WHEN 2 * upto >= total THEN delay_ms END)
           + MIN(CASE WHEN 2 * upto > total THEN delay_ms END)) / 2 AS BIGINT) AS export_delay_p50_ms,
       MAX(delay_ms) AS export_delay_max_ms,
       SUM(CASE WHEN delay_ms < -1000 THEN n ELSE 0 END) AS clock_ahead,
       SUM(untimed) AS untimed
FROM ranked
GROUP BY exporter_addr
ORDER BY exporter_addr;
