-- flows_by_hour: volume per arrival hour (the store's partitions).
-- Parameters: none (scope with --since/--until).
-- Columns: date, hour, flows, packets, bytes, sources (distinct src_addr), exporters
SELECT date, hour,
       COUNT(*) AS flows,
       SUM(packets) AS packets,
       SUM(bytes) AS bytes,
       COUNT(DISTINCT src_addr) AS sources,
       COUNT(DISTINCT exporter_addr) AS exporters
FROM flows
GROUP BY date, hour
ORDER BY date, hour;
