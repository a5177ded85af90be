-- top_talkers: the 20 source addresses that sent the most bytes.
-- Parameters: none (scope with --since/--until).
-- Columns: src_addr, bytes, packets, flows, peers (distinct destinations)
-- Distinct peers are counted for the top 20 only: COUNT(DISTINCT) next to other aggregates
-- over every source was 5x slower in DataFusion (BENCHMARKS.md). `top` is used once on purpose:
-- DataFusion inlines a CTE at each use, and a second use recomputed the totals over every flow.
WITH top AS (
    SELECT src_addr, SUM(bytes) AS bytes, SUM(packets) AS packets, COUNT(*) AS flows
    FROM flows
    GROUP BY src_addr
    ORDER BY bytes DESC, src_addr
    LIMIT 20
)
SELECT t.src_addr, t.bytes, t.packets, t.flows, COUNT(DISTINCT f.dst_addr) AS peers
FROM top t JOIN flows f ON f.src_addr = t.src_addr
GROUP BY t.src_addr, t.bytes, t.packets, t.flows
ORDER BY t.bytes DESC, t.src_addr;
