-- pivot_hosts: hosts that both serve and open *established* remote-administration connections
-- (a service of the `services` table on the server side, at least $min_packets packets each way
-- summed per 5-tuple). Only such a host can relay a chain, and every hop of a chain has one of
-- them at an end, so `pivotflow pivots` keeps only flows touching these hosts before building
-- sessions: the cost follows possible pivots, not all admin traffic. Sums per 5-tuple are at
-- least a single session's counts, so no hop that passes queries/hops.sql is lost. Records whose
-- other port is a lower well-known port (1-1023) are skipped: the sessions view makes that side
-- the server (e.g. 10.0.0.5:3389 -> 10.0.0.9:161 is SNMP), so they can never be a hop.
-- Parameters: min_packets (integer, as for queries/hops.sql). Columns: host
WITH c2s AS (
    SELECT f.src_addr AS client, f.dst_addr AS server, f.src_port AS client_port, f.dst_port AS port, f.proto,
           SUM(f.packets) AS packets
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.dst_port
    WHERE NOT (f.src_port BETWEEN 1 AND 1023 AND f.src_port < f.dst_port)
    GROUP BY f.src_addr, f.dst_addr, f.src_port, f.dst_port, f.proto
),
s2c AS (
    SELECT f.dst_addr AS client, f.src_addr AS server, f.dst_port AS client_port, f.src_port AS port, f.proto,
           SUM(f.packets) AS packets
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.src_port
    WHERE NOT (f.dst_port BETWEEN 1 AND 1023 AND f.dst_port < f.src_port)
    GROUP BY f.dst_addr, f.src_addr, f.dst_port, f.src_port, f.proto
),
established AS (
    SELECT c.client, c.server
    FROM c2s c JOIN s2c s
      ON s.client = c.client AND s.server = c.server AND s.client_port = c.client_port
     AND s.port = c.port AND s.proto = c.proto
    WHERE c.packets >= $min_packets AND s.packets >= $min_packets
)
-- Hosts seen on both sides. `established` is used once on purpose (an INTERSECT of two uses made
-- DataFusion, which inlines a CTE at every use, aggregate both directions twice).
SELECT host
FROM (
    SELECT CASE WHEN k.side = 0 THEN e.server ELSE e.client END AS host, k.side
    FROM established e CROSS JOIN (VALUES (0), (1)) AS k(side)
) AS sides
GROUP BY host
HAVING COUNT(DISTINCT side) = 2
ORDER BY host;
