-- new_pairs: client → server:port pairs first seen at or after a period start, i.e. not seen
-- in the baseline (everything in scope before it; set the baseline's start with --since).
-- Parameters: period_start (text, RFC 3339), e.g. --param period_start=2026-11-27T00:00:00Z
-- Columns: client_addr, server_addr, server_port, proto, first_seen_ms, sessions, bytes
SELECT client_addr, server_addr, server_port, proto,
       MIN(start_ms) AS first_seen_ms,
       COUNT(*) AS sessions,
       SUM(bytes_c2s + bytes_s2c) AS bytes
FROM sessions
GROUP BY client_addr, server_addr, server_port, proto
HAVING MIN(start_ms) >= EXTRACT(EPOCH FROM CAST($period_start AS TIMESTAMP)) * 1000
ORDER BY first_seen_ms, client_addr, server_addr, server_port;
