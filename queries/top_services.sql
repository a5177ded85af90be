-- top_services: services (server port + protocol) by number of sessions, from the sessions view.
-- Parameters: none (scope with --since/--until).
-- Columns: server_port, proto, sessions, clients, servers, bytes (both directions)
SELECT server_port,
       proto,
       COUNT(*) AS sessions,
       COUNT(DISTINCT client_addr) AS clients,
       COUNT(DISTINCT server_addr) AS servers,
       SUM(bytes_c2s + bytes_s2c) AS bytes
FROM sessions
GROUP BY server_port, proto
ORDER BY sessions DESC, bytes DESC, server_port, proto
LIMIT 20;
