-- sessions: one row per connection, built from flow records.
-- Registered automatically as a view by `pivotflow sql` (and used by `pivotflow pivots`).
--
-- Columns: client_addr, client_port, server_addr, server_port, proto, start_ms, end_ms,
--   packets_c2s, bytes_c2s, packets_s2c, bytes_s2c, records, exporters
--
-- Rules (README, "sessions view"):
-- (a) Directions. The two endpoints (address, port) and proto form the connection key. The
--     endpoint whose port is a service port (1-1023, or 1433 1521 2049 3306 3389 5432 5900
--     5985 5986 6379 8080 8443 9200 27017) is the server. When both are, the lower port is the
--     server (a host that happens to use 3389 as its ephemeral port to query SNMP on 161 is
--     the SNMP client, not an RDP server). When neither is, or both ports are equal, the
--     endpoint that sent the earliest record is the client (records starting in the same
--     millisecond: the endpoint that sorts first by address, then port).
-- (b) Active-timeout splits. Records of one key belong to one session while each next record
--     (by start) starts at most 60 s after the latest end seen so far; a longer silence starts
--     a new session (a new connection reusing the 5-tuple) — except for a TCP record whose
--     exported flags (non-zero) have no SYN: a new connection starts with one, so that record
--     continues the connection however long it was quiet (an idle SSH session cut into records
--     by an exporter's inactive timeout).
-- (c) Duplicates. Within a session and direction, each observation point (exporter address +
--     observation domain) contributes the sum of its records, skipping a record that starts
--     at or before the end of an earlier record of the same observation point (ingress and
--     egress reports of one flow; of records with the same start and end, the one with the most
--     packets, then bytes, comes first). Across observation points the largest total counts: every
--     exporter that saw the connection saw all of it, so totals are never added up.
--
-- How: most connections are one record per direction. Those are finished with one GROUP BY
-- (`per_key`, `simple`): with at most two records, "the second starts more than 60 s after
-- the first ended" is exactly MAX(start) > MIN(end) + 60 s. Only the other keys (split,
-- duplicated, reused; ~6 % of records in synthetic data) go through the window functions of
-- rules (b) and (c), which cost several µs per record in DataFusion 55.
CREATE VIEW sessions AS
WITH keyed AS (
    SELECT flow_start_ms, flow_end_ms, packets, bytes, exporter_addr, observation_domain_id, proto, tcp_flags,
           src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port) AS src_is_a,
           CASE WHEN src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port) THEN src_addr ELSE dst_addr END AS a_addr,
           CASE WHEN src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port) THEN src_port ELSE dst_port END AS a_port,
           CASE WHEN src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port) THEN dst_addr ELSE src_addr END AS b_addr,
           CASE WHEN src_addr < dst_addr OR (src_addr = dst_addr AND src_port <= dst_port) THEN dst_port ELSE src_port END AS b_port
    FROM flows
),
per_key AS (
    SELECT a_addr, a_port, b_addr, b_port, proto,
           SUM(CASE WHEN src_is_a THEN 1 ELSE 0 END) AS n_a,
           SUM(CASE WHEN src_is_a THEN 0 ELSE 1 END) AS n_b,
           MAX(flow_start_ms) AS last_start,
           MIN(flow_end_ms) AS first_end,
           -- The earliest record's sender, in plain aggregates (an ordered first_value is not
           -- portable): start * 2 + direction bit, smallest wins.
           MIN(flow_start_ms * 2 + CASE WHEN src_is_a THEN 0 ELSE 1 END) % 2 = 0 AS a_sent_first,
           MIN(flow_start_ms) AS start_ms,
           MAX(flow_end_ms) AS end_ms,
           SUM(CASE WHEN src_is_a THEN packets ELSE 0 END) AS packets_a,
           SUM(CASE WHEN src_is_a THEN bytes ELSE 0 END) AS bytes_a,
           SUM(CASE WHEN src_is_a THEN 0 ELSE packets END) AS packets_b,
           SUM(CASE WHEN src_is_a THEN 0 ELSE bytes END) AS bytes_b,
           COUNT(*) AS records,
           string_agg(DISTINCT exporter_addr, ',' ORDER BY exporter_addr) AS exporters
    FROM keyed
    GROUP BY a_addr, a_port, b_addr, b_port, proto
),
simple AS (
    SELECT a_addr, a_port, b_addr, b_port, proto, a_sent_first, start_ms, end_ms,
           packets_a, bytes_a, packets_b, bytes_b, records, exporters
    FROM per_key
    WHERE n_a <= 1 AND n_b <= 1 AND last_start <= first_end + 60000
),
complex AS (
    SELECT k.*
    FROM keyed k
    JOIN per_key p
      ON p.a_addr = k.a_addr AND p.a_port = k.a_port AND p.b_addr = k.b_addr AND p.b_port = k.b_port
     AND p.proto = k.proto
    WHERE NOT (p.n_a <= 1 AND p.n_b <= 1 AND p.last_start <= p.first_end + 60000)
),
gaps AS (
    SELECT *,
           CASE WHEN flow_start_ms > MAX(flow_end_ms) OVER (
                    PARTITION BY a_addr, a_port, b_addr, b_port, proto
                    ORDER BY flow_start_ms, flow_end_ms, packets DESC, bytes DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 60000
                 AND NOT (proto = 6 AND tcp_flags <> 0 AND tcp_flags & 2 = 0)
                THEN 1 ELSE 0 END AS starts_session
    FROM complex
),
numbered AS (
    SELECT *,
           SUM(starts_session) OVER (
               PARTITION BY a_addr, a_port, b_addr, b_port, proto
               ORDER BY flow_start_ms, flow_end_ms, packets DESC, bytes DESC
               ROWS UNBOUNDED PRECEDING) AS session_no,
           MAX(flow_end_ms) OVER (
               PARTITION BY a_addr, a_port, b_addr, b_port, proto, src_is_a, exporter_addr, observation_domain_id
               ORDER BY flow_start_ms, flow_end_ms, packets DESC, bytes DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end_same_observer
    FROM gaps
),
per_observer AS (
    SELECT a_addr, a_port, b_addr, b_port, proto, session_no, src_is_a,
           SUM(packets) AS packets, SUM(bytes) AS bytes
    FROM numbered
    WHERE prev_end_same_observer IS NULL OR flow_start_ms > prev_end_same_observer
    GROUP BY a_addr, a_port, b_addr, b_port, proto, session_no, src_is_a, exporter_addr, observation_domain_id
),
per_direction AS (
    SELECT a_addr, a_port, b_addr, b_port, proto, session_no, src_is_a,
           MAX(packets) AS packets, MAX(bytes) AS bytes
    FROM per_observer
    GROUP BY a_addr, a_port, b_addr, b_port, proto, session_no, src_is_a
),
complex_sessions AS (
    SELECT a_addr, a_port, b_addr, b_port, proto, session_no,
           MIN(flow_start_ms * 2 + CASE WHEN src_is_a THEN 0 ELSE 1 END) % 2 = 0 AS a_sent_first,
           MIN(flow_start_ms) AS start_ms,
           MAX(flow_end_ms) AS end_ms,
           COUNT(*) AS records,
           string_agg(DISTINCT exporter_addr, ',' ORDER BY exporter_addr) AS exporters
    FROM numbered
    GROUP BY a_addr, a_port, b_addr, b_port, proto, session_no
),
all_sessions AS (
    SELECT * FROM simple
    UNION ALL
    SELECT s.a_addr, s.a_port, s.b_addr, s.b_port, s.proto, s.a_sent_first, s.start_ms, s.end_ms,
           COALESCE(SUM(CASE WHEN d.src_is_a THEN d.packets END), 0) AS packets_a,
           COALESCE(SUM(CASE WHEN d.src_is_a THEN d.bytes END), 0) AS bytes_a,
           COALESCE(SUM(CASE WHEN d.src_is_a THEN NULL ELSE d.packets END), 0) AS packets_b,
           COALESCE(SUM(CASE WHEN d.src_is_a THEN NULL ELSE d.bytes END), 0) AS bytes_b,
           s.records, s.exporters
    FROM complex_sessions s
    JOIN per_direction d
      ON d.a_addr = s.a_addr AND d.a_port = s.a_port AND d.b_addr = s.b_addr AND d.b_port = s.b_port
     AND d.proto = s.proto AND d.session_no = s.session_no
    GROUP BY s.a_addr, s.a_port, s.b_addr, s.b_port, s.proto, s.session_no, s.a_sent_first,
             s.start_ms, s.end_ms, s.records, s.exporters
),
roles AS (
    SELECT *,
           CASE
               WHEN b_is_service AND NOT a_is_service THEN true
               WHEN a_is_service AND NOT b_is_service THEN false
               WHEN a_is_service AND b_is_service AND a_port <> b_port THEN b_port < a_port
               ELSE a_sent_first
           END AS a_is_client
    FROM (
        SELECT *,
               (a_port BETWEEN 1 AND 1023 OR a_port IN (1433, 1521, 2049, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8080, 8443, 9200, 27017)) AS a_is_service,
               (b_port BETWEEN 1 AND 1023 OR b_port IN (1433, 1521, 2049, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8080, 8443, 9200, 27017)) AS b_is_service
        FROM all_sessions
    ) typed
)
SELECT
    CASE WHEN a_is_client THEN a_addr ELSE b_addr END AS client_addr,
    CASE WHEN a_is_client THEN a_port ELSE b_port END AS client_port,
    CASE WHEN a_is_client THEN b_addr ELSE a_addr END AS server_addr,
    CASE WHEN a_is_client THEN b_port ELSE a_port END AS server_port,
    proto,
    start_ms,
    end_ms,
    CASE WHEN a_is_client THEN packets_a ELSE packets_b END AS packets_c2s,
    CASE WHEN a_is_client THEN bytes_a ELSE bytes_b END AS bytes_c2s,
    CASE WHEN a_is_client THEN packets_b ELSE packets_a END AS packets_s2c,
    CASE WHEN a_is_client THEN bytes_b ELSE bytes_a END AS bytes_s2c,
    records,
    exporters
FROM roles;
