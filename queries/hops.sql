-- hops: remote-administration sessions that look established, i.e. candidate pivot hops.
-- Uses the `sessions` view and the `services` table (name, proto, port: SSH tcp/22, RDP tcp+udp/3389,
-- WinRM tcp/5985+5986 by default; `pivotflow pivots --service` changes it).
-- Parameters: min_packets (integer): packets required in EACH direction (default 2 in `pivots`);
--             min_bytes (integer): bytes required in both directions together (default 0).
-- A refused or scanned port gives SYN (+ RST): fewer than 2 packets one way, so it is no hop.
-- Columns: client_addr, client_port, server_addr, server_port, proto, service, start_ms, end_ms,
--          packets_c2s, bytes_c2s, packets_s2c, bytes_s2c, exporters
SELECT s.client_addr, s.client_port, s.server_addr, s.server_port, s.proto, v.name AS service,
       s.start_ms, s.end_ms, s.packets_c2s, s.bytes_c2s, s.packets_s2c, s.bytes_s2c, s.exporters
FROM sessions s
JOIN services v ON v.proto = s.proto AND v.port = s.server_port
WHERE s.packets_c2s >= $min_packets AND s.packets_s2c >= $min_packets
  AND s.bytes_c2s + s.bytes_s2c >= $min_bytes
ORDER BY s.start_ms, s.client_addr, s.client_port, s.server_addr;
