-- admin_sessions: remote-administration sessions (SSH tcp/22, RDP tcp+udp/3389,
-- WinRM tcp/5985 and tcp/5986) where a host is client or server.
-- Parameters: host (text, SQL LIKE pattern): e.g. --param host=10.0.0.5, or --param host=% for all.
-- Columns: start_ms, end_ms, client_addr, client_port, server_addr, server_port, proto,
--          service, packets_c2s, bytes_c2s, packets_s2c, bytes_s2c, exporters
SELECT start_ms, end_ms, client_addr, client_port, server_addr, server_port, proto,
       CASE WHEN server_port = 22 THEN 'ssh'
            WHEN server_port = 3389 THEN 'rdp'
            ELSE 'winrm' END AS service,
       packets_c2s, bytes_c2s, packets_s2c, bytes_s2c, exporters
FROM sessions
WHERE ((proto = 6 AND server_port IN (22, 3389, 5985, 5986)) OR (proto = 17 AND server_port = 3389))
  AND (client_addr LIKE $host OR server_addr LIKE $host)
ORDER BY start_ms, client_addr, client_port;
