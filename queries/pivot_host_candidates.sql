-- pivot_host_candidates: hosts that answered on a service port and opened connections to one,
-- with at least $min_packets packets summed per host on each side. A superset of
-- queries/pivot_hosts.sql (a sum per host is at least the sum per 5-tuple that query tests, and
-- the same records are skipped), found with two aggregates by host instead of two by 5-tuple
-- and a join: `pivots --cluster` asks the cluster for these hosts' flows, then keeps the
-- possible pivot hosts among them in process (all of a candidate's flows come back, so
-- pivot_hosts.sql over them finds exactly what it finds over the whole period).
-- Parameters: min_packets (integer, as for queries/pivot_hosts.sql). Columns: host
WITH served AS (
    SELECT f.src_addr AS host
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.src_port
    WHERE NOT (f.dst_port BETWEEN 1 AND 1023 AND f.dst_port < f.src_port)
    GROUP BY f.src_addr
    HAVING SUM(f.packets) >= $min_packets
),
opened AS (
    SELECT f.src_addr AS host
    FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.dst_port
    WHERE NOT (f.src_port BETWEEN 1 AND 1023 AND f.src_port < f.dst_port)
    GROUP BY f.src_addr
    HAVING SUM(f.packets) >= $min_packets
)
SELECT s.host
FROM served s JOIN opened o ON o.host = s.host
ORDER BY s.host;
