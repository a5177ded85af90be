#!/usr/bin/env python3
"""Load a pivotflow GraphML file in two independent readers (networkx, python-igraph) and check
that typed attributes survive: times and counters as integers, trusted as a boolean.
Install: pip install networkx python-igraph"""
import sys

import igraph
import networkx as nx

path = sys.argv[1]
g = nx.read_graphml(path)
assert g.is_directed(), "graph must be directed"
for n, d in g.nodes(data=True):
    assert d["name"] == n, (n, d)
    assert isinstance(d["first_seen_ms"], int) and isinstance(d["chain_count"], int), d
    assert isinstance(d["trusted"], bool), d
    assert d["role"] in ("origin", "pivot", "target"), d
for a, b, d in g.edges(data=True):
    assert d["interaction"] in ("ssh", "rdp", "winrm") or d["interaction"], d
    assert isinstance(d["start_ms"], int) and isinstance(d["bytes_c2s"], int) and isinstance(d["port"], int), d
    assert d["start_ms"] <= d["end_ms"], d
print(f"networkx: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")

ig = igraph.Graph.Read_GraphML(path)
assert ig.is_directed()
for v in ig.vs:
    assert isinstance(v["first_seen_ms"], (int, float)) and v["name"], v.attributes()
for e in ig.es:
    assert e["interaction"] and e["start_ms"] > 0, e.attributes()
print(f"igraph: {ig.vcount()} nodes, {ig.ecount()} edges")
