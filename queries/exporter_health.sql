-- exporter_health: per exporter, what its flow records say about it.
-- Parameters: none (scope with --since/--until).
-- Columns: exporter_addr, records, versions, domains, first_arrival_ms, last_arrival_ms,
--   export_delay_p50_ms / max_ms (arrival - flow end: exporter cache timeouts),
--   clock_ahead (records ending > 1 s after they arrived: exporter clock ahead of ours),
--   untimed (records whose exporter gave no usable time: time_source export_time/arrival).
-- Sequence gaps, held/replayed/expired template-less data and decode errors are counted by
-- the collector itself: see `capture --stats-json` and its log.
SELECT exporter_addr,
       COUNT(*) AS records,
       string_agg(DISTINCT CAST(flow_version AS VARCHAR), ',' ORDER BY CAST(flow_version AS VARCHAR)) AS versions,
       COUNT(DISTINCT observation_domain_id) AS domains,
       MIN(received_ms) AS first_arrival_ms,
       MAX(received_ms) AS last_arrival_ms,
       CAST(median(received_ms - flow_end_ms) AS BIGINT) AS export_delay_p50_ms,
       MAX(received_ms - flow_end_ms) AS export_delay_max_ms,
       SUM(CASE WHEN flow_end_ms > received_ms + 1000 THEN 1 ELSE 0 END) AS clock_ahead,
       SUM(CASE WHEN time_source IN ('export_time', 'arrival') THEN 1 ELSE 0 END) AS untimed
FROM flows
GROUP BY exporter_addr
ORDER BY exporter_addr;
