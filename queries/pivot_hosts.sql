-- pivot_hosts: hosts that both receive and open remote-administration connections (a service of
-- the `services` table on the server side). Only such a host can relay a chain, and every hop of
-- a chain has one of them at an end, so `pivotflow pivots` keeps only flows touching these hosts
-- before building sessions: the cost then follows possible pivots, not all admin traffic.
-- Either direction of a record counts (an exporter may see only the reply direction).
-- Parameters: none. Columns: host
WITH servers AS (
    SELECT f.dst_addr AS host FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.dst_port
    UNION
    SELECT f.src_addr AS host FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.src_port
),
clients AS (
    SELECT f.src_addr AS host FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.dst_port
    UNION
    SELECT f.dst_addr AS host FROM flows f JOIN services v ON v.proto = f.proto AND v.port = f.src_port
)
SELECT host FROM servers
INTERSECT
SELECT host FROM clients
ORDER BY host;
