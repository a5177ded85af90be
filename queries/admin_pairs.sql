-- admin_pairs: every established remote-administration connection of the period, counted per
-- client, server, service and UTC hour of its start. This is what `report` keeps in its history
-- (<reports>/history/date=D/hops.parquet), so the next nights know who administers what, and
-- when, without reading this day's flows again. A connection is a 5-tuple (both directions
-- summed over all records and exporters) with at least $min_packets packets each way; records
-- whose other port is a lower well-known port are skipped as in queries/pivot_hosts.sql.
-- Cheaper than the sessions view: one aggregate per direction, no window functions.
-- Parameters: min_packets (integer, as for queries/hops.sql).
-- Columns: client, server, service, hour (0-23, of the connection's first record start),
--          connections (count), first_ms, last_ms (UTC epoch ms of first start, last end)
WITH c2s AS (
    SELECT f.src_addr AS client, f.dst_addr AS server, f.src_port AS client_port, f.dst_port AS port,
           f.proto, v.name AS service, SUM(f.packets) AS packets,
           MIN(f.flow_start_ms) AS start_ms, MAX(f.flow_end_ms) AS end_ms
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.dst_port
    WHERE NOT (f.src_port BETWEEN 1 AND 1023 AND f.src_port < f.dst_port)
    GROUP BY f.src_addr, f.dst_addr, f.src_port, f.dst_port, f.proto, v.name
),
s2c AS (
    SELECT f.dst_addr AS client, f.src_addr AS server, f.dst_port AS client_port, f.src_port AS port,
           f.proto, SUM(f.packets) AS packets
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.src_port
    WHERE NOT (f.dst_port BETWEEN 1 AND 1023 AND f.dst_port < f.src_port)
    GROUP BY f.dst_addr, f.src_addr, f.dst_port, f.src_port, f.proto
)
SELECT c.client, c.server, c.service,
       CAST(FLOOR(c.start_ms / 3600000) AS BIGINT) % 24 AS hour,
       COUNT(*) AS connections, MIN(c.start_ms) AS first_ms, MAX(c.end_ms) AS last_ms
FROM c2s c JOIN s2c s
  ON s.client = c.client AND s.server = c.server AND s.client_port = c.client_port
 AND s.port = c.port AND s.proto = c.proto
WHERE c.packets >= $min_packets AND s.packets >= $min_packets
GROUP BY c.client, c.server, c.service, CAST(FLOOR(c.start_ms / 3600000) AS BIGINT) % 24
ORDER BY client, server, service, hour;
