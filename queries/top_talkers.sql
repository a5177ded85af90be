-- top_talkers: the 20 source addresses that sent the most bytes.
-- Parameters: none (scope with --since/--until).
-- Columns: src_addr, bytes, packets, flows, peers (distinct destinations)
SELECT src_addr,
       SUM(bytes) AS bytes,
       SUM(packets) AS packets,
       COUNT(*) AS flows,
       COUNT(DISTINCT dst_addr) AS peers
FROM flows
GROUP BY src_addr
ORDER BY bytes DESC, src_addr
LIMIT 20;
