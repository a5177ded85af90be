//! Chains: time-respecting paths of hops, assembled with petgraph.
//!
//! Nodes are hops, edges the continuations found by `queries/pivot_hops.sql`. A chain starts
//! at a hop nothing continues (or, for hops only reachable inside a loop, at the earliest
//! unvisited one) and is extended depth-first, earliest continuation first:
//! - no host twice: a continuation back to a host already on the chain closes a *cycle*; the
//!   chain up to and including that hop is reported once with `cycle = true` and never followed;
//! - a chain is reported when it cannot be extended (maximal); its prefixes and the paths that
//!   start inside it are not reported again;
//! - `max_hops`, `max_fanout` and `max_chains` bound the search; each cut is counted.
//!
//! Hops linked by continuations form connected groups (components). They are searched
//! smallest first: a busy jump host's tangle of thousands of admin sessions is one big component
//! and cannot use up the `max_chains` budget before the small, sharp chains elsewhere are found.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::hops::Hop;
use super::rules::PivotRules;

/// A chain as hop indices into the hop list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChain {
    /// Indexes into the hop list, in time order.
    pub hops: Vec<usize>,
    /// The last hop returns to a host already on the chain.
    pub cycle: bool,
    /// The search stopped extending it at `max_hops`.
    pub truncated: bool,
}

/// Every cut the search made (reported, never silent).
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Truncations {
    /// Chains cut at `--max-hops`.
    pub max_hops: u64,
    /// Continuations not followed because a hop had more than `--max-fanout`.
    pub fanout: u64,
    /// The search stopped at `max_chains` chains.
    pub max_chains_reached: bool,
    /// Connected groups of hops not (fully) searched because `max_chains` was reached: the
    /// largest ones, as groups are searched smallest first.
    pub components_not_searched: u64,
}

impl Truncations {
    /// ", chain limit reached (…)" when the chain budget ran out, else "".
    pub fn chain_limit_note(&self) -> String {
        if !self.max_chains_reached {
            return String::new();
        }
        format!(
            ", chain limit reached ({} largest hop groups not fully searched)",
            self.components_not_searched
        )
    }
}

struct Search<'a> {
    graph: &'a DiGraph<usize, ()>,
    hops: &'a [Hop],
    rules: &'a PivotRules,
    out: Vec<RawChain>,
    seen_cycles: HashSet<Vec<usize>>,
    visited: Vec<bool>,
    cut: Truncations,
}

impl Search<'_> {
    fn children(&mut self, node: NodeIndex) -> Vec<NodeIndex> {
        let mut c: Vec<NodeIndex> =
            self.graph.neighbors_directed(node, Direction::Outgoing).collect();
        c.sort_by_key(|n| (self.hops[self.graph[*n]].start_ms, self.graph[*n]));
        c.dedup();
        if c.len() > self.rules.max_fanout {
            self.cut.fanout += (c.len() - self.rules.max_fanout) as u64;
            c.truncate(self.rules.max_fanout);
        }
        c
    }

    fn mark_reachable(&mut self, from: NodeIndex) {
        let mut dfs = petgraph::visit::Dfs::new(self.graph, from);
        while let Some(n) = dfs.next(self.graph) {
            self.visited[n.index()] = true;
        }
    }

    fn emit(&mut self, chain: RawChain) {
        if self.out.len() >= self.rules.max_chains {
            self.cut.max_chains_reached = true;
            return;
        }
        self.out.push(chain);
    }

    fn extend(&mut self, path: &mut Vec<NodeIndex>, hosts: &mut Vec<String>) {
        let last = *path.last().expect("path never empty");
        self.visited[last.index()] = true;
        let mut extended = false;
        for child in self.children(last) {
            let hop = &self.hops[self.graph[child]];
            if hosts.contains(&hop.server_addr) {
                // Back to a host on the chain: a cycle, reported once, never followed.
                let mut hops: Vec<usize> = path.iter().map(|n| self.graph[*n]).collect();
                hops.push(self.graph[child]);
                let mut key = hops.clone();
                key.sort_unstable();
                if self.seen_cycles.insert(key) {
                    self.emit(RawChain { hops, cycle: true, truncated: false });
                }
                extended = true;
                continue;
            }
            if path.len() >= self.rules.max_hops {
                self.cut.max_hops += 1;
                // What lies beyond the cut belongs to this chain: never start a new one there.
                self.mark_reachable(child);
                let hops = path.iter().map(|n| self.graph[*n]).collect();
                self.emit(RawChain { hops, cycle: false, truncated: true });
                return;
            }
            extended = true;
            path.push(child);
            hosts.push(hop.server_addr.clone());
            self.extend(path, hosts);
            hosts.pop();
            path.pop();
            if self.cut.max_chains_reached {
                return;
            }
        }
        if !extended && path.len() >= 2 {
            let hops = path.iter().map(|n| self.graph[*n]).collect();
            self.emit(RawChain { hops, cycle: false, truncated: false });
        }
    }
}

/// Find chains in `hops` linked by `pairs` (parent index, child index).
pub fn find_chains(
    hops: &[Hop],
    pairs: &[(usize, usize)],
    rules: &PivotRules,
) -> (Vec<RawChain>, Truncations) {
    let mut graph = DiGraph::<usize, ()>::with_capacity(hops.len(), pairs.len());
    let nodes: Vec<NodeIndex> = (0..hops.len()).map(|i| graph.add_node(i)).collect();
    for &(p, c) in pairs {
        if p != c && hops[c].server_addr != hops[c].client_addr {
            graph.add_edge(nodes[p], nodes[c], ());
        }
    }
    let mut s = Search {
        graph: &graph,
        hops,
        rules,
        out: Vec::new(),
        seen_cycles: HashSet::new(),
        visited: vec![false; hops.len()],
        cut: Truncations::default(),
    };
    let groups = components(&graph, &nodes);
    for (k, component) in groups.iter().enumerate() {
        // Roots first (in time order: hops are sorted by start), then hops only reachable in
        // loops.
        let is_root =
            |n: &NodeIndex| graph.neighbors_directed(*n, Direction::Incoming).next().is_none();
        let roots = component.iter().copied().filter(is_root);
        let rest = component.iter().copied().filter(|n| !is_root(n));
        for start in roots.chain(rest) {
            if s.visited[start.index()]
                || graph.neighbors_directed(start, Direction::Outgoing).next().is_none()
            {
                continue;
            }
            let hop = &hops[graph[start]];
            let mut hosts = vec![hop.client_addr.clone(), hop.server_addr.clone()];
            s.extend(&mut vec![start], &mut hosts);
            if s.cut.max_chains_reached {
                break;
            }
        }
        if s.cut.max_chains_reached {
            s.cut.components_not_searched = (groups.len() - k) as u64;
            break;
        }
    }
    (s.out, s.cut)
}

/// Weakly connected groups of linked hops (single unlinked hops left out), smallest first,
/// ties by their first hop; nodes inside a group in hop order.
fn components(graph: &DiGraph<usize, ()>, nodes: &[NodeIndex]) -> Vec<Vec<NodeIndex>> {
    let mut uf = petgraph::unionfind::UnionFind::<usize>::new(nodes.len());
    for e in graph.raw_edges() {
        uf.union(e.source().index(), e.target().index());
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<NodeIndex>> = Default::default();
    for n in nodes {
        if graph.neighbors_undirected(*n).next().is_some() {
            groups.entry(uf.find(n.index())).or_default().push(*n);
        }
    }
    let mut out: Vec<Vec<NodeIndex>> = groups.into_values().collect();
    out.sort_by_key(|g| (g.len(), g[0]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(client: &str, server: &str, start: i64, end: i64) -> Hop {
        Hop {
            client_addr: client.into(),
            server_addr: server.into(),
            start_ms: start,
            end_ms: end,
            ..Hop::default()
        }
    }

    fn rules() -> PivotRules {
        PivotRules::default()
    }

    #[test]
    fn a_b_c_is_one_chain_and_no_sub_chain() {
        let hops = vec![hop("A", "B", 0, 100), hop("B", "C", 10, 50), hop("C", "D", 20, 30)];
        let (chains, cut) = find_chains(&hops, &[(0, 1), (1, 2)], &rules());
        assert_eq!(chains, vec![RawChain { hops: vec![0, 1, 2], cycle: false, truncated: false }]);
        assert_eq!(cut, Truncations::default());
    }

    #[test]
    fn a_hop_back_is_a_cycle_reported_once() {
        let hops = vec![hop("A", "B", 0, 100), hop("B", "A", 10, 50)];
        // Even if the clock skew also links the second hop back to the first.
        let (chains, _) = find_chains(&hops, &[(0, 1), (1, 0)], &rules());
        assert_eq!(chains.len(), 1);
        assert!(chains[0].cycle);
    }

    #[test]
    fn branches_are_separate_chains_and_fanout_is_capped_and_counted() {
        let hops = vec![
            hop("A", "B", 0, 100),
            hop("B", "C", 10, 50),
            hop("B", "D", 20, 50),
            hop("B", "E", 30, 50),
        ];
        let mut r = rules();
        r.max_fanout = 2;
        let (chains, cut) = find_chains(&hops, &[(0, 1), (0, 2), (0, 3)], &r);
        assert_eq!(chains.len(), 2);
        assert_eq!(cut.fanout, 1);
    }

    #[test]
    fn max_hops_cuts_and_counts() {
        let hops: Vec<Hop> =
            (0..5).map(|i| hop(&format!("H{i}"), &format!("H{}", i + 1), i * 10, 1000)).collect();
        let pairs: Vec<(usize, usize)> = (0..4).map(|i| (i, i + 1)).collect();
        let mut r = rules();
        r.max_hops = 3;
        let (chains, cut) = find_chains(&hops, &pairs, &r);
        assert_eq!(chains.len(), 1);
        assert_eq!(chains[0].hops, vec![0, 1, 2]);
        assert!(chains[0].truncated);
        assert_eq!(cut.max_hops, 1);
    }

    #[test]
    fn a_busy_tangle_cannot_starve_a_small_chain_of_the_chain_budget() {
        // A jump host J: 6 admins' sessions in, 6 sessions out, all overlapping (36 chains),
        // listed first; then a separate 2-hop chain X → Y → Z.
        let mut hops = Vec::new();
        for i in 0..6 {
            hops.push(hop(&format!("A{i}"), "J", 0, 1000));
        }
        for i in 0..6 {
            hops.push(hop("J", &format!("S{i}"), 10 + i, 500));
        }
        hops.push(hop("X", "Y", 2000, 3000));
        hops.push(hop("Y", "Z", 2100, 2500));
        let mut pairs: Vec<(usize, usize)> =
            (0..6).flat_map(|p| (6..12).map(move |c| (p, c))).collect();
        pairs.push((12, 13));
        let mut r = rules();
        r.max_chains = 5;
        let (chains, cut) = find_chains(&hops, &pairs, &r);
        assert!(chains.contains(&RawChain { hops: vec![12, 13], cycle: false, truncated: false }));
        assert_eq!(chains.len(), 5);
        assert!(cut.max_chains_reached);
        assert_eq!(cut.components_not_searched, 1, "the tangle, cut short");
    }

    #[test]
    fn single_hops_are_not_chains() {
        let hops = vec![hop("A", "B", 0, 100)];
        assert!(find_chains(&hops, &[], &rules()).0.is_empty());
    }
}
