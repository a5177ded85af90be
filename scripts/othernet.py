#!/usr/bin/env python3
"""othernet: a second multi-day network generator, written independently of `pivotflow synth`,
to check that alert rules tuned on synth hold on a network built differently.

Usage: othernet.py --seed S --hosts N --out STORE --truth TRUTH.json
                   [--days 14] [--attacks-from 8] [--flows 1000000]
                   [--jumps 3] [--workstations-per-admin 120] [--evening-share 0.1]
                   [--episodes-max 4] [--session-minutes 15-100] [--preferred-jump 0.75]

Writes a flow store (date=/hour= Parquet through DuckDB, the pivotflow schema) and a truth file
in the shape of `synth --days --truth` (days: attacks, decoys, routine_events), so
scripts/eval-alerts.py scores it. Needs `pip install duckdb`.

How it differs from synth on purpose:
- Addresses: departments' user ranges 10.(20+d).0.0/16 with DHCP-scattered hosts; admin laptops
  live among them; servers in racks 10.100.R.S with functions NOT aligned to subnets; three
  shared jump hosts in 10.250.0.0/24; network devices in 10.254.0.0/16 (SSH only).
- Teams share a pool of servers with team-wide popularity (team mates overlap heavily); every
  admin has its own hours, a preferred jump host, and goes direct to servers a fifth of the time.
- On-call admins work at any hour, nights included, during their week.
- A config-management host fans out over SSH every hour on its own; a monitoring host checks
  servers every 10 minutes (SSH, WinRM); helpdesk staff RDP into users' workstations; a vendor
  comes in over RDP twice a week to an appliance that then reaches two servers; developers and
  CI use git over SSH; a backup host pulls at night.
- Routine change: laptop replaced, new admin, new servers in a new rack, jump host replaced,
  an admin moving team, a weekday night maintenance window, a holiday.
- Attacks from --attacks-from on, one or two a day: hijacked laptop to another team's server,
  stolen laptop to a server kind its owner never administers, workstation pivot, helpdesk
  workstation relaying, long chain, weekend night, weekday evening at an hour never seen,
  routine path plus one hop, cycle, vendor appliance reaching a new server.
"""
import argparse
import datetime
import json
import os
import random
import tempfile

import duckdb

# The network's shape (`--jumps` etc.; the defaults are the networks tuned and reported on).
SHAPE = dict(jumps=3, workstations_per_admin=120, evening_share=0.1, episodes_max=4,
             session_min=15, session_max=100, preferred_jump=0.75)

DAY = 86_400_000
HOUR = 3_600_000
MIN = 60_000
SVC = {"ssh": (6, 22), "rdp": (6, 3389), "winrm": (6, 5985)}


class Net:
    def __init__(self, seed, hosts):
        r = random.Random(seed * 7919 + 1)
        self.r = r
        self.depts = max(3, hosts // 1500)
        used = set()

        def user_addr(d):
            while True:
                a = f"10.{20 + d}.{r.randrange(0, 16)}.{r.randrange(1, 255)}"
                if a not in used:
                    used.add(a)
                    return a
        self.user_addr = user_addr
        n_ws = int(hosts * 0.82)
        self.workstations = [user_addr(r.randrange(self.depts)) for _ in range(n_ws)]
        n_srv = max(60, hosts // 9)
        self.servers = []
        self.rack_next = {}
        for i in range(n_srv):
            self.servers.append(self.new_server(r.randrange(0, max(2, n_srv // 40))))
        # Functions not aligned to racks.
        funcs = ["web", "app", "db", "file", "infra", "appliance"]
        self.func = {s: r.choices(funcs, [30, 30, 10, 10, 15, 5])[0] for s in self.servers}
        self.windows = {s: (self.func[s] == "file" or (self.func[s] in ("app", "db", "infra") and r.random() < 0.4)) for s in self.servers}
        self.devices = [f"10.254.{i // 200}.{i % 200 + 1}" for i in range(max(10, hosts // 300))]
        self.jumps = [f"10.250.0.{11 + k}" for k in range(SHAPE["jumps"])]
        self.jump_next = 11 + SHAPE["jumps"]
        self.dcs = [f"10.99.0.{i + 1}" for i in range(4)]
        special = r.sample([s for s in self.servers if not self.windows[s]], 6)
        self.cm, self.mon, self.git, self.backup, self.ci, self.build = special
        self.special = set(special)
        self.appliance = r.choice([s for s in self.servers if self.func[s] == "appliance"] or [self.servers[0]])
        self.vendor = "203.0.113.77"
        self.developers = r.sample(self.workstations, max(15, n_ws // 50))
        self.helpdesk = r.sample(self.workstations, 3)

    def new_server(self, rack):
        slot = self.rack_next.get(rack, 1)
        self.rack_next[rack] = slot + 1
        return f"10.100.{rack}.{slot}"

    def add_servers(self, k, func, windows):
        rack = max(self.rack_next) + 1
        out = []
        for _ in range(k):
            s = self.new_server(rack)
            self.func[s] = func
            self.windows[s] = windows
            self.servers.append(s)
            out.append(s)
        return out


TEAMS = {
    "linux": lambda n, s: not n.windows[s] and n.func[s] in ("web", "app", "infra"),
    "windows": lambda n, s: n.windows[s] and n.func[s] in ("file", "app", "infra"),
    "db": lambda n, s: n.func[s] == "db",
    "network": None,
}


def svc_for(net, s, r):
    if s in net.devices or not net.windows.get(s, False):
        return "ssh"
    return "winrm" if r.random() < 0.45 else "rdp"


class Org:
    def __init__(self, net, seed):
        self.net = net
        r = random.Random(seed * 31 + 5)
        self.r = r
        self.admins = []
        self.pools = {}
        for t, pred in TEAMS.items():
            pool = net.devices[:] if pred is None else [s for s in net.servers if pred(net, s) and s not in net.special]
            r.shuffle(pool)
            self.pools[t] = pool[:max(8, len(pool) // 2)]
        n_admins = max(10, len(net.workstations) // SHAPE["workstations_per_admin"])
        sizes = {"linux": 0.35, "windows": 0.3, "db": 0.15, "network": 0.2}
        for t, share in sizes.items():
            for _ in range(max(2, int(n_admins * share))):
                self.hire(t, established=True)
        self.oncall_log = set()
        self.night_log = set()
        self.weekend_log = set()
        self.mode = None

    def hire(self, team, established=False):
        r = self.r
        a = dict(
            laptop=self.net.user_addr(r.randrange(self.net.depts)),
            team=team,
            jump=r.randrange(len(self.net.jumps)),
            start=r.choice([7, 8, 8, 9, 9, 10]),
            end=r.choice([16, 17, 17, 18, 19]),
            evening=r.random() < SHAPE["evening_share"],
            direct=0.2 if team != "network" else 0.05,
            established=established,
            active=True,
        )
        self.admins.append(a)
        return a

    def team(self, t):
        return [a for a in self.admins if a["team"] == t and a["active"]]


def session(rows, c, s, svc, start, end, r, pk=(40, 3000)):
    proto, port = SVC[svc]
    sport = r.randrange(30000, 65000)
    p = r.randrange(*pk)
    b = p * r.randrange(80, 400)
    # Exporter active timeout 30 min: long sessions in pieces.
    t = start
    while True:
        e = min(end, t + 30 * MIN)
        share = max(1, int(p * (e - t) / max(1, end - start)))
        rows.append((e, t, e, c, s, sport, port, proto, 0x1b, share, b * share // p))
        rows.append((e, t, e, s, c, port, sport, proto, 0x1b, share + 3, share * r.randrange(200, 1500)))
        if e >= end:
            break
        t = e
    return dict(client=c, server=s, service=svc, start_ms=start, end_ms=end)


def inside(r, start, end):
    s = r.randrange(start + 20_000, max(start + 30_000, end - 150_000))
    e = r.randrange(s + 30_000, max(s + 40_000, end - 30_000))
    return s, e


def day_work(net, org, d, day0, weekend, rows, r):
    """Routine of one day; returns routine chains (truth)."""
    chains = []
    week = (d - 1) // 7
    oncall = {}
    # The on-call rota, offset per team (by its place, not `hash`: a string's hash changes with
    # every Python process, and the same seed must give the same network).
    for t in TEAMS:
        m = org.team(t)
        if m:
            oncall[t] = m[(week + list(TEAMS).index(t)) % len(m)]
            org.oncall_log.add(oncall[t]["laptop"])
    mode = org.mode or {}
    for a in org.admins:
        if not a["active"]:
            continue
        is_oncall = oncall.get(a["team"]) is a
        maint = mode.get("kind") == "maintenance" and a["team"] == mode.get("team")
        holiday = mode.get("kind") == "holiday"
        if maint:
            works, hours, eps = r.random() < 0.9, (22, 25), r.randrange(1, 3)
            org.night_log.add(a["laptop"])
        elif weekend or holiday:
            works, hours, eps = is_oncall and r.random() < 0.6, (0, 24), r.randrange(1, 3)
        else:
            works, hours, eps = r.random() < 0.9, (a["start"], a["end"]), r.randrange(1, SHAPE["episodes_max"] + 1)
            if is_oncall and r.random() < 0.4:
                eps += 1  # a night call
        if not works:
            continue
        if weekend or holiday:
            org.weekend_log.add(a["laptop"])
        pool = org.pools[a["team"]]
        weights = [1.0 / (k + 1) ** 0.8 for k in range(len(pool))]
        for e in range(eps):
            if is_oncall and (weekend or holiday or e == eps - 1 and eps > 1 and not maint):
                start = day0 + r.randrange(0, 24 * HOUR - 40 * MIN)
            else:
                start = day0 + r.randrange(hours[0] * HOUR, hours[1] * HOUR - 40 * MIN)
            if a["evening"] and r.random() < 0.1 and not weekend:
                start = day0 + r.randrange(20 * HOUR, 23 * HOUR)
            end = start + r.randrange(SHAPE["session_min"], SHAPE["session_max"]) * MIN
            targets = list(dict.fromkeys(r.choices(pool, weights, k=r.randrange(1, 4))))
            if r.random() < a["direct"]:
                for s in targets[:1]:
                    session(rows, a["laptop"], s, svc_for(net, s, r), start, end, r)
                continue
            j = a["jump"] if r.random() < SHAPE["preferred_jump"] else r.randrange(len(net.jumps))
            jump = net.jumps[j]
            first = "ssh" if a["team"] in ("linux", "network") else r.choice(["rdp", "rdp", "winrm"]) if a["team"] == "windows" else r.choice(["ssh", "rdp"])
            parent = session(rows, a["laptop"], jump, first, start, end, r)
            for s in targets:
                w = inside(r, start, end)
                child = session(rows, jump, s, svc_for(net, s, r), w[0], w[1], r)
                chains.append(dict(id="routine-admin", hosts=[a["laptop"], jump, s], cycle=False, hops=[parent, child]))
    # Config management: hourly fan-out on its own; linux admins log in some days.
    linux_srv = [s for s in net.servers if not net.windows[s]]
    for h in range(24):
        t0 = day0 + h * HOUR + 15 * MIN
        for s in r.sample(linux_srv, max(5, len(linux_srv) // 4)):
            st = t0 + r.randrange(0, 8 * MIN)
            session(rows, net.cm, s, "ssh", st, st + r.randrange(5_000, 60_000), r, (12, 60))
    if not weekend:
        for a in org.team("linux")[:3]:
            if r.random() < 0.5:
                st = day0 + r.randrange(9 * HOUR, 16 * HOUR)
                session(rows, a["laptop"], net.cm, "ssh", st, st + r.randrange(20, 70) * MIN, r)
    # Monitoring every 10 minutes.
    mon_targets = net.servers[:: max(1, len(net.servers) // 40)]
    for k in range(144):
        t0 = day0 + k * 10 * MIN
        for s in mon_targets:
            st = t0 + r.randrange(0, 60_000)
            session(rows, net.mon, s, "winrm" if net.windows[s] else "ssh", st, st + 4_000, r, (8, 30))
    # Helpdesk RDP into workstations.
    if not weekend:
        for h in net.helpdesk:
            for _ in range(r.randrange(4, 12)):
                st = day0 + r.randrange(8 * HOUR, 17 * HOUR)
                session(rows, h, r.choice(net.workstations), "rdp", st, st + r.randrange(3, 25) * MIN, r)
    # Vendor on Tuesdays and Thursdays: appliance reaches two servers during it.
    dow = datetime.datetime.utcfromtimestamp(day0 / 1000).weekday()
    if dow in (1, 3):
        st = day0 + r.randrange(10 * HOUR, 14 * HOUR)
        en = st + r.randrange(40, 90) * MIN
        p = session(rows, net.vendor, net.appliance, "rdp", st, en, r)
        for s in org.vendor_targets:
            w = inside(r, st, en)
            c = session(rows, net.appliance, s, svc_for(net, s, r), w[0], w[1], r)
            chains.append(dict(id="routine-vendor", hosts=[net.vendor, net.appliance, s], cycle=False, hops=[p, c]))
    # Git and CI.
    for dev in net.developers:
        for _ in range(0 if weekend else r.randrange(0, 5)):
            st = day0 + r.randrange(8 * HOUR, 20 * HOUR)
            session(rows, dev, net.git, "ssh", st, st + r.randrange(5_000, 120_000), r, (10, 150))
    for _ in range(r.randrange(2, 5) if weekend else r.randrange(10, 30)):
        st = day0 + r.randrange(0, 24 * HOUR - 20 * MIN)
        en = st + r.randrange(4, 18) * MIN
        build = r.choice(org.builds)
        p = session(rows, net.ci, build, "ssh", st, en, r)
        w = (st + 30_000, st + 30_000 + r.randrange(10_000, 80_000))
        c = session(rows, build, net.git, "ssh", w[0], w[1], r, (20, 300))
        chains.append(dict(id="routine-build", hosts=[net.ci, build, net.git], cycle=False, hops=[p, c]))
    # Backup at night.
    for s in r.sample(net.servers, min(len(net.servers), 60)):
        st = day0 + r.randrange(1 * HOUR, 5 * HOUR)
        session(rows, net.backup, s, "ssh", st, st + r.randrange(1, 25) * MIN, r)
    return chains


def event(net, org, kind, r):
    if kind == "laptop-replaced":
        a = r.choice([a for a in org.admins if a["active"]])
        old = a["laptop"]
        a["laptop"] = net.user_addr(int(old.split(".")[1]) - 20)
        a["established"] = False
        return dict(kind=kind, hosts=[old, a["laptop"]], note=f"laptop {old} replaced by {a['laptop']}")
    if kind == "new-admin":
        t = r.choice(["linux", "windows", "db", "network"])
        a = org.hire(t)
        return dict(kind=kind, hosts=[a["laptop"]], note=f"new {t} admin {a['laptop']}")
    if kind == "servers-added":
        t = r.choice(["linux", "windows", "db"])
        func = {"linux": "app", "windows": "file", "db": "db"}[t]
        new = net.add_servers(r.randrange(2, 6), func, t == "windows")
        org.pools[t] = new + org.pools[t]
        return dict(kind=kind, hosts=new, note=f"{len(new)} new {t} servers in a new rack")
    if kind == "jump-replaced":
        j = r.randrange(len(net.jumps))
        old = net.jumps[j]
        net.jumps[j] = f"10.250.0.{net.jump_next}"
        net.jump_next += 1
        return dict(kind=kind, hosts=[old, net.jumps[j]], note=f"jump host {old} replaced by {net.jumps[j]}")
    if kind == "team-move":
        a = r.choice([a for a in org.admins if a["active"] and a["team"] in ("linux", "windows")])
        old = a["team"]
        a["team"] = "windows" if old == "linux" else "linux"
        a["established"] = False
        return dict(kind=kind, hosts=[a["laptop"]], note=f"{a['laptop']} moved from {old} to {a['team']}")
    if kind == "new-build-agent":
        s = r.choice([s for s in net.servers if not net.windows[s] and s not in org.builds])
        org.builds.append(s)
        return dict(kind=kind, hosts=[s], note=f"CI builds on {s} too")
    if kind == "night-maintenance":
        t = r.choice(["linux", "windows", "db"])
        org.mode = dict(kind="maintenance", team=t)
        return dict(kind=kind, hosts=[a["laptop"] for a in org.team(t)], note=f"{t} maintenance 22:00-01:00")
    org.mode = dict(kind="holiday")
    return dict(kind="holiday", hosts=[], note="public holiday")


def chain_hops(rows, hosts, svcs, start, r, cycle=False):
    end = start + r.randrange(50, 110) * MIN
    hops, t = [], start
    for i, svc in enumerate(svcs):
        hops.append(session(rows, hosts[i], hosts[i + 1], svc, t, end, r))
        t += r.randrange(2, 7) * MIN
        end -= r.randrange(2, 7) * MIN
    return dict(hosts=hosts, cycle=cycle, hops=hops)


def attack(net, org, kind, day0, rows, r):
    work = day0 + r.randrange(10 * HOUR, 15 * HOUR)
    plain = [s for s in net.servers if s not in net.special and s != net.appliance]
    est = [a for a in org.admins if a["active"] and a["established"] and a["team"] != "network"]
    quiet = [a for a in est if a["laptop"] not in org.oncall_log and a["laptop"] not in org.weekend_log
             and a["laptop"] not in org.night_log and not a["evening"]] or est
    if kind == "hijacked-other-team":
        a = r.choice([a for a in est if a["team"] == "linux"])
        t = r.choice([s for s in org.pools["db"] if net.windows.get(s)] or org.pools["windows"])
        return chain_hops(rows, [a["laptop"], net.jumps[a["jump"]], t], ["ssh", "rdp"], work, r)
    if kind == "stolen-laptop-db":
        a = r.choice([a for a in est if a["team"] == "linux"])
        t = r.choice([s for s in org.pools["db"] if not net.windows.get(s)] or org.pools["db"])
        return chain_hops(rows, [a["laptop"], net.jumps[a["jump"]], t], ["ssh", "ssh"], work, r)
    if kind == "workstation-pivot":
        w = r.choice(net.workstations)
        a, b = r.sample([s for s in plain if not net.windows[s]], 2)
        return chain_hops(rows, [w, a, b], ["ssh", "ssh"], work, r)
    if kind == "helpdesk-relay":
        h = r.choice(net.helpdesk)
        w = r.choice(net.workstations)
        s = r.choice(plain)
        return chain_hops(rows, [h, w, s], ["rdp", svc_for(net, s, r)], work, r)
    if kind == "long-chain":
        hs = [r.choice(net.workstations)] + r.sample([s for s in plain if not net.windows[s]], 4)
        return chain_hops(rows, hs, ["ssh"] * 4, work, r)
    if kind == "weekend-night":
        a = r.choice(quiet)
        t = org.pools[a["team"]][0]
        first = "ssh" if a["team"] == "linux" else "rdp"
        return chain_hops(rows, [a["laptop"], net.jumps[a["jump"]], t], [first, svc_for(net, t, r)], day0 + r.randrange(2 * HOUR, 4 * HOUR), r)
    if kind == "evening-hour":
        a = r.choice(quiet)
        t = org.pools[a["team"]][0]
        first = "ssh" if a["team"] == "linux" else "rdp"
        return chain_hops(rows, [a["laptop"], net.jumps[a["jump"]], t], [first, svc_for(net, t, r)], day0 + r.randrange(22 * HOUR, 23 * HOUR), r)
    if kind == "extra-hop":
        a = r.choice([a for a in est if a["team"] == "linux"])
        t = org.pools["linux"][0]
        x = r.choice([s for s in plain if not net.windows[s] and s != t])
        return chain_hops(rows, [a["laptop"], net.jumps[a["jump"]], t, x], ["ssh", "ssh", "ssh"], work, r)
    if kind == "cycle":
        w = r.choice(net.workstations)
        a, b = r.sample([s for s in plain if not net.windows[s]], 2)
        return chain_hops(rows, [w, a, b, a], ["ssh"] * 3, work, r, cycle=True)
    # vendor-new-target
    s = r.choice([s for s in plain if s not in org.vendor_targets])
    return chain_hops(rows, [net.vendor, net.appliance, s], ["rdp", svc_for(net, s, r)], work, r)


KINDS = ["hijacked-other-team", "workstation-pivot", "stolen-laptop-db", "evening-hour",
         "long-chain", "extra-hop", "helpdesk-relay", "cycle", "vendor-new-target"]


def decoys(net, rows, day0, r):
    t = day0 + r.randrange(9 * HOUR, 15 * HOUR)
    w, a, b = r.choice(net.workstations), r.choice(net.servers), r.choice(net.servers)
    h1 = session(rows, w, a, "ssh", t, t + 10 * MIN, r)
    h2 = session(rows, a, b, "ssh", t + 15 * MIN, t + 25 * MIN, r)
    return [dict(id="child-after-parent-ended", why="second starts after the first ended", hops=[h1, h2])]


def background(con, net, day0, flows, seed, path):
    con.execute("CREATE OR REPLACE TEMP TABLE ws AS SELECT row_number() OVER () - 1 AS i, a FROM (SELECT unnest(?) AS a)", [net.workstations])
    con.execute("CREATE OR REPLACE TEMP TABLE sv AS SELECT row_number() OVER () - 1 AS i, a FROM (SELECT unnest(?) AS a)", [net.servers + net.dcs])
    nws, nsv = len(net.workstations), len(net.servers) + len(net.dcs)
    n = flows // 2
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE bg AS
    WITH x AS (
      SELECT i,
        hash(i, {seed}, {day0}) AS h1, hash(i, {seed}, {day0}, 2) AS h2, hash(i, {seed}, {day0}, 3) AS h3,
        hash(i, {seed}, {day0}, 4) AS h4
      FROM range({n}) t(i)),
    y AS (
      SELECT i,
        -- 75 % in working hours, the rest any time
        {day0} + CASE WHEN h1 % 100 < 75 THEN 8*{HOUR} + (h1 // 100) % (10*{HOUR}) ELSE (h1 // 100) % {DAY} END AS st,
        (h2 % {nws}) AS wi,
        floor(pow(((h3 % 1000000) / 1000000.0), 3) * {nsv})::BIGINT AS si,
        CASE WHEN h4 % 1000 < 420 THEN 443 WHEN h4 % 1000 < 600 THEN 53 WHEN h4 % 1000 < 700 THEN 445
             WHEN h4 % 1000 < 780 THEN 80 WHEN h4 % 1000 < 840 THEN 389 WHEN h4 % 1000 < 880 THEN 88
             WHEN h4 % 1000 < 945 THEN 8443 WHEN h4 % 1000 < 957 THEN 22 WHEN h4 % 1000 < 962 THEN 3389
             WHEN h4 % 1000 < 965 THEN 5985 ELSE 123 END AS port,
        (h4 // 1000) % 60000 AS dur, 1 + (h4 // 100000) % 40 AS pk, 30000 + (h2 // 100000) % 30000 AS sport
      FROM x)
    SELECT y.*, ws.a AS c, sv.a AS s, CASE WHEN port IN (53, 123) THEN 17 ELSE 6 END AS proto
    FROM y JOIN ws ON ws.i = y.wi JOIN sv ON sv.i = y.si
    """)
    con.execute(f"""
    COPY (
      SELECT st + dur AS received_ms, st AS flow_start_ms, st + dur AS flow_end_ms, 'absolute' AS time_source,
        '192.0.2.9' AS exporter_addr, 0::BIGINT AS observation_domain_id, 10 AS flow_version,
        c AS src_addr, s AS dst_addr, sport::INTEGER AS src_port, port::INTEGER AS dst_port, proto::INTEGER AS proto,
        CASE WHEN proto = 6 THEN 27 ELSE 0 END AS tcp_flags, pk::BIGINT AS packets, (pk * 120)::BIGINT AS bytes,
        NULL::BIGINT AS in_if, NULL::BIGINT AS out_if, NULL::BIGINT AS sampling_interval, NULL::INTEGER AS tos
      FROM bg
      UNION ALL
      SELECT st + dur, st, st + dur, 'absolute', '192.0.2.9', 0, 10, s, c, port::INTEGER, sport::INTEGER, proto::INTEGER,
        CASE WHEN proto = 6 THEN 27 ELSE 0 END, (pk + 1)::BIGINT, (pk * 900)::BIGINT, NULL, NULL, NULL, NULL
      FROM bg
    ) TO '{path}/bg.parquet' (FORMAT parquet)""")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--hosts", type=int, default=3000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--attacks-from", type=int, default=8)
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    # A differently shaped network from the same generator (a check that the rules do not
    # depend on these numbers): shared jump hosts, admins per workstation, evening workers,
    # admin episodes a day, session length in minutes, use of the preferred jump host.
    ap.add_argument("--jumps", type=int, default=SHAPE["jumps"])
    ap.add_argument("--workstations-per-admin", type=int, default=SHAPE["workstations_per_admin"])
    ap.add_argument("--evening-share", type=float, default=SHAPE["evening_share"])
    ap.add_argument("--episodes-max", type=int, default=SHAPE["episodes_max"])
    ap.add_argument("--session-minutes", default=f"{SHAPE['session_min']}-{SHAPE['session_max']}")
    ap.add_argument("--preferred-jump", type=float, default=SHAPE["preferred_jump"])
    # Admins whose laptop gets a new address every day (a DHCP or VPN pool), a share of all.
    ap.add_argument("--dhcp-share", type=float, default=0.0)
    # Write those admins' leases (`pivotflow report --leases`): address, identity (the laptop,
    # a new one when it is replaced), the day.
    ap.add_argument("--leases-out")
    a = ap.parse_args()
    lo, hi = (int(x) for x in a.session_minutes.split("-"))
    SHAPE.update(jumps=a.jumps, workstations_per_admin=a.workstations_per_admin,
                 evening_share=a.evening_share, episodes_max=a.episodes_max,
                 session_min=lo, session_max=hi, preferred_jump=a.preferred_jump)
    net = Net(a.seed, a.hosts)
    org = Org(net, a.seed)
    r = random.Random(a.seed * 101 + 3)
    org.builds = [net.build]
    org.vendor_targets = r.sample([s for s in net.servers if not net.windows[s]], 2)
    first = datetime.date(2026, 11, 2)
    ev_kinds = ["laptop-replaced", "new-admin", "servers-added", "team-move", "new-build-agent"]
    sched = {}
    cyc = []
    for d in range(3, a.days + 1):
        date = first + datetime.timedelta(days=d - 1)
        if date.weekday() < 5:
            for _ in range(1 if a.hosts < 10000 else 2):
                if not cyc:
                    cyc = ev_kinds[:]
                    r.shuffle(cyc)
                sched.setdefault(d, []).append(cyc.pop())
    weekdays = [d for d in range(4, a.days + 1) if (first + datetime.timedelta(days=d - 1)).weekday() < 5]
    sched.setdefault(r.choice(weekdays), []).append("jump-replaced")
    sched.setdefault(r.choice(weekdays), []).append("night-maintenance")
    sched.setdefault(r.choice(weekdays), []).append("holiday")
    con = duckdb.connect()
    truth = dict(shape="othernet", days=[])
    leases = ["address,identity,from,until"]
    dhcp = set()  # the admins on the pool, by place in org.admins
    laptop_no = {}  # admin place -> its laptop's number (a replaced laptop is another one)
    k = 0
    for d in range(1, a.days + 1):
        date = first + datetime.timedelta(days=d - 1)
        day0 = int(datetime.datetime(date.year, date.month, date.day, tzinfo=datetime.timezone.utc).timestamp() * 1000)
        weekend = date.weekday() >= 5
        org.mode = None
        if a.dhcp_share > 0:
            # Its own random numbers: without --dhcp-share the network is the same as before.
            dr = random.Random(a.seed * 977 + 11)
            for i, adm in enumerate(org.admins):
                if dr.random() < a.dhcp_share and adm["active"]:
                    dhcp.add(i)
                    if d > 1:
                        adm["laptop"] = net.user_addr(int(adm["laptop"].split(".")[1]) - 20)
        evs = [event(net, org, kind, r) for kind in sched.get(d, [])]
        for e in evs:
            if e["kind"] == "laptop-replaced":
                for i in dhcp:
                    if org.admins[i]["laptop"] == e["hosts"][1]:
                        laptop_no[i] = laptop_no.get(i, i) + 1000
        for i in sorted(dhcp):
            n = laptop_no.get(i, i)
            leases.append(f'{org.admins[i]["laptop"]},laptop-{n},{day0 // 1000},{day0 // 1000 + 86400}')
        rows = []
        routine = day_work(net, org, d, day0, weekend, rows, r)
        attacks, dec = [], []
        if d >= a.attacks_from:
            kinds = [KINDS[k % len(KINDS)]]
            k += 1
            if weekend:
                kinds.append("weekend-night")
            for kind in kinds:
                c = attack(net, org, kind, day0, rows, r)
                c["id"] = "attack-" + kind
                attacks.append(c)
            dec = decoys(net, rows, day0, r)
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "s.csv")
            with open(csv, "w") as f:
                for row in rows:
                    f.write(",".join(map(str, row)) + "\n")
            background(con, net, day0, a.flows if not weekend else a.flows * 2 // 5, a.seed, tmp)
            con.execute(f"""CREATE OR REPLACE TEMP TABLE s AS SELECT * FROM read_csv('{csv}', header=false,
              columns={{'e':'BIGINT','st':'BIGINT','en':'BIGINT','c':'VARCHAR','s':'VARCHAR','sp':'INTEGER','dp':'INTEGER',
                        'proto':'INTEGER','fl':'INTEGER','pk':'BIGINT','b':'BIGINT'}})""")
            con.execute(f"""CREATE OR REPLACE TEMP TABLE allf AS
              SELECT * FROM read_parquet('{tmp}/bg.parquet')
              UNION ALL
              SELECT e, st, en, 'absolute', '192.0.2.9', 0::BIGINT, 10, c, s, sp, dp, proto, fl, pk, b,
                     NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::INTEGER FROM s""")
            con.execute(f"""COPY (SELECT *, strftime(to_timestamp(received_ms / 1000), '%Y-%m-%d') AS date,
                  strftime(to_timestamp(received_ms / 1000), '%H') AS hour FROM allf ORDER BY received_ms)
                TO '{a.out}' (FORMAT parquet, PARTITION_BY (date, hour), OVERWRITE_OR_IGNORE true,
                  FILENAME_PATTERN 'flows-othernet-d{d:02d}-{{i}}')""")
        truth["days"].append(dict(date=date.isoformat(), weekend=weekend, attacks=attacks, decoys=dec,
                                  routine_events=evs, routine=routine[:50]))
    json.dump(truth, open(a.truth, "w"), indent=1)
    if a.leases_out:
        open(a.leases_out, "w").write("\n".join(leases) + "\n")


main()
