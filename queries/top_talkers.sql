-- top_talkers: the 20 source addresses that sent the most bytes.
-- Parameters: none (scope with --since/--until).
-- Columns: src_addr, bytes, packets, flows, peers (distinct destinations)
-- Distinct peers are counted for the top 20 only: COUNT(DISTINCT) next to other aggregates
-- over every source was 5x slower in DataFusion (BENCHMARKS.md).
WITH totals AS (
    SELECT src_addr, SUM(bytes) AS bytes, SUM(packets) AS packets, COUNT(*) AS flows
    FROM flows
    GROUP BY src_addr
    ORDER BY bytes DESC, src_addr
    LIMIT 20
),
peers AS (
    SELECT src_addr, COUNT(*) AS peers
    FROM (SELECT DISTINCT f.src_addr, f.dst_addr FROM flows f JOIN totals t ON f.src_addr = t.src_addr) AS pairs
    GROUP BY src_addr
)
SELECT t.src_addr, t.bytes, t.packets, t.flows, p.peers
FROM totals t JOIN peers p ON p.src_addr = t.src_addr
ORDER BY t.bytes DESC, t.src_addr;
