#!/usr/bin/env python3
"""campus: a third multi-day network generator, built differently from both `pivotflow synth`
and scripts/othernet.py, to check that the alert rules are not fitted to either.

Usage: campus.py --seed S --hosts N --out STORE --truth TRUTH.json [--days 14] [--attacks-from 8]
                 [--flows 1000000]

Writes a flow store (date=/hour= Parquet through DuckDB, the pivotflow schema) and a truth file
in the shape of `synth --days --truth`, so scripts/eval-alerts.py scores it. Needs duckdb.

How it differs:
- Departments run their own servers (10.210.D.0/24) and their own IT staff, who log in
  directly, no jump host; central teams (linux, windows, dba) administer the function
  networks (web 10.200.1, app .2, db .3, file .4, infra .5) through two bastions: a Linux
  bastion (ssh in, ssh out) and a Windows jump server (rdp in, rdp/winrm out).
- Hops through a bastion start within a minute of the login (ProxyJump style), later ones
  anywhere in the session; sessions are exported as one record per direction at their end
  (no active timeout), so a long session arrives in one piece, hours after it began.
- Automation: an Ansible controller runs playbooks every two hours on a third of the Linux
  servers (and admins log into it daily); a management server talks WinRM to the Windows
  servers every four hours; a vulnerability scanner sweeps every server over ssh, rdp and
  winrm on Wednesday nights; a backup server pulls over ssh at night; developers push to git
  over ssh; CI runners fetch from git; a deploy host reaches the app servers for CI.
- Server roles show in the other traffic too (web 443, db 5432/1433 from app servers, file
  445, infra 53/88/389), unlike the other generators' uniform background.
- Routine change (one or two a weekday from day 3): department admin joins, a central admin's
  laptop replaced, servers commissioned in a function network, the Linux bastion replaced,
  the git server moved; a weekly on-call per central team (night calls); a Saturday patch
  window of the windows team through the jump server.
- Attacks from --attacks-from, one a day, and the hijacked path again two nights later:
  hijacked central admin (routine bastion hop, then a service that bastion never relayed),
  stolen laptop (a linux admin's bastion hop, then a db server the dba team reaches daily
  through that bastion), long chain through department servers that never relay, a weekend
  night chain of a department admin, a cycle, a routine path plus one hop onward.
"""
import argparse
import datetime
import json
import os
import random
import tempfile

import duckdb

DAY, HOUR, MIN, SEC = 86_400_000, 3_600_000, 60_000, 1000
PORTS = {"ssh": 22, "rdp": 3389, "winrm": 5985}
FUNCS = ["web", "app", "db", "file", "infra"]


class Campus:
    def __init__(self, seed, hosts):
        r = random.Random(seed * 613 + 7)
        self.r = r
        self.depts = max(4, hosts // 600)
        self.used = set()
        n_ws = int(hosts * 0.85)
        self.workstations = [self.user(r.randrange(self.depts)) for _ in range(n_ws)]
        per_func = max(8, hosts // 120)
        self.func_servers = {f: [f"10.200.{i + 1}.{k + 10}" for k in range(per_func)] for i, f in enumerate(FUNCS)}
        self.windows = {}
        for f, ss in self.func_servers.items():
            for s in ss:
                self.windows[s] = f == "file" or (f in ("app", "db", "infra") and r.random() < 0.35)
        self.dept_servers = {d: [f"10.210.{d}.{k + 10}" for k in range(r.randrange(4, 9))] for d in range(self.depts)}
        for ss in self.dept_servers.values():
            for s in ss:
                self.windows[s] = r.random() < 0.3
        self.bastion = "10.250.1.10"
        self.winjump = "10.250.2.10"
        self.ansible, self.mgmt, self.scanner, self.backup = "10.250.3.10", "10.250.3.20", "10.250.3.30", "10.250.3.40"
        self.git, self.deploy = "10.250.4.10", "10.250.4.20"
        self.runners = [f"10.250.4.{30 + k}" for k in range(3)]
        self.developers = r.sample(self.workstations, max(20, n_ws // 40))

    def user(self, d):
        while True:
            a = f"10.{110 + d}.{self.r.randrange(0, 8)}.{self.r.randrange(2, 254)}"
            if a not in self.used:
                self.used.add(a)
                return a

    def servers(self):
        return [s for ss in self.func_servers.values() for s in ss] + [s for ss in self.dept_servers.values() for s in ss]

    def linux(self, ss):
        return [s for s in ss if not self.windows[s]]


def svc_for(net, s, r):
    return ("winrm" if r.random() < 0.5 else "rdp") if net.windows.get(s) else "ssh"


class Rows:
    """Flow records, one per direction at the end of the session (no active timeout)."""

    def __init__(self, r):
        self.r, self.rows = r, []

    def session(self, c, s, svc, start, end, pk=(30, 2500), sport=None):
        r = self.r
        port = PORTS[svc]
        sp = sport or r.randrange(32768, 61000)
        p = r.randrange(*pk)
        self.rows.append((end, start, end, c, s, sp, port, 6, 0x1b, p, p * r.randrange(70, 300)))
        self.rows.append((end + 1, start + 1, end, s, c, port, sp, 6, 0x1b, p + 2, p * r.randrange(150, 1200)))
        return dict(client=c, server=s, service=svc, start_ms=start, end_ms=end)

    def chain(self, hosts, svcs, start, minutes=(45, 100)):
        end = start + self.r.randrange(*minutes) * MIN
        hops, t = [], start
        for i, svc in enumerate(svcs):
            hops.append(self.session(hosts[i], hosts[i + 1], svc, t, end))
            t += self.r.randrange(20, 90) * SEC
            end -= self.r.randrange(1, 6) * MIN
        return dict(hosts=hosts, cycle=len(set(hosts)) < len(hosts), hops=hops)


class Staff:
    def __init__(self, net, seed):
        r = random.Random(seed * 17 + 3)
        self.r, self.net = r, net
        self.admins = []
        n = max(12, len(net.workstations) // 150)
        for team, share in (("linux", 0.4), ("windows", 0.35), ("dba", 0.25)):
            for _ in range(max(3, int(n * share))):
                self.hire(team)
        for d in range(net.depts):
            for _ in range(2):
                self.hire("dept", dept=d)
        self.pools = {
            "linux": net.linux(net.func_servers["web"] + net.func_servers["app"] + net.func_servers["infra"]),
            "windows": [s for f in ("app", "file", "infra") for s in net.func_servers[f] if net.windows[s]],
            "dba": net.func_servers["db"],
        }
        self.oncall_seen = set()

    def hire(self, team, dept=None):
        r = self.r
        a = dict(laptop=self.net.user(dept if dept is not None else r.randrange(self.net.depts)), team=team,
                 dept=dept, start=r.choice([7, 8, 8, 9, 9]), end=r.choice([16, 17, 17, 18]),
                 known=True)
        self.admins.append(a)
        return a

    def team(self, t):
        return [a for a in self.admins if a["team"] == t]


def workday(net, staff, d, day0, weekday, saturday, rows, r):
    chains = []
    week = (d - 1) // 7
    oncall = {t: staff.team(t)[(week + i) % len(staff.team(t))] for i, t in enumerate(("linux", "windows", "dba"))}
    for a in staff.admins:
        team = a["team"]
        is_oncall = oncall.get(team) is a
        patch = saturday and team == "windows"
        if not weekday and not is_oncall and not patch:
            continue
        if not weekday and is_oncall and r.random() < 0.5:
            continue
        if weekday and r.random() < 0.1:
            continue
        episodes = r.randrange(1, 4) if weekday else 1
        for e in range(episodes):
            if patch:
                start = day0 + r.randrange(20 * HOUR, 22 * HOUR)
            elif is_oncall and (not weekday or (e == 0 and r.random() < 0.3)):
                start = day0 + r.randrange(0, 23 * HOUR)
                staff.oncall_seen.add(a["laptop"])
            else:
                start = day0 + r.randrange(a["start"] * HOUR, a["end"] * HOUR - 30 * MIN)
            end = start + r.randrange(10, 120) * MIN
            if team == "dept":
                for s in r.sample(net.dept_servers[a["dept"]], min(2, len(net.dept_servers[a["dept"]]))):
                    w0 = start + r.randrange(0, 30) * MIN
                    rows.session(a["laptop"], s, svc_for(net, s, r), w0, w0 + r.randrange(5, 60) * MIN)
                continue
            pool = staff.pools[team]
            targets = list(dict.fromkeys(r.choices(pool, [1 / (k + 1) for k in range(len(pool))], k=r.randrange(1, 4))))
            if team == "windows" or (team == "dba" and all(net.windows[t] for t in targets)):
                jump, first = net.winjump, "rdp"
            else:
                jump, first = net.bastion, "ssh"
                targets = [t for t in targets if not net.windows[t]] or targets[:1]
            parent = rows.session(a["laptop"], jump, first, start, end)
            for k, t in enumerate(targets):
                if k == 0:
                    w0 = start + r.randrange(5, 60) * SEC  # ProxyJump: right after the login
                else:
                    w0 = r.randrange(start + 2 * MIN, max(start + 3 * MIN, end - 10 * MIN))
                w1 = min(end - SEC, w0 + r.randrange(3, 60) * MIN)
                child = rows.session(jump, t, svc_for(net, t, r) if jump == net.winjump else "ssh", w0, max(w0 + 30 * SEC, w1))
                chains.append(dict(id="routine-admin", hosts=[a["laptop"], jump, t], cycle=False, hops=[parent, child]))
        # Linux admins log into the Ansible controller most days.
        if weekday and team == "linux" and r.random() < 0.4:
            st = day0 + r.randrange(a["start"] * HOUR, a["end"] * HOUR - HOUR)
            rows.session(a["laptop"], net.ansible, "ssh", st, st + r.randrange(10, 50) * MIN)
    linux_all = net.linux(net.servers())
    for h in range(0, 24, 2):
        t0 = day0 + h * HOUR + 5 * MIN
        for s in r.sample(linux_all, max(3, len(linux_all) // 3)):
            st = t0 + r.randrange(0, 10 * MIN)
            rows.session(net.ansible, s, "ssh", st, st + r.randrange(4, 40) * SEC, (15, 80))
    win_all = [s for s in net.servers() if net.windows[s]]
    for h in range(1, 24, 4):
        for s in win_all:
            st = day0 + h * HOUR + r.randrange(0, 20 * MIN)
            rows.session(net.mgmt, s, "winrm", st, st + r.randrange(3, 30) * SEC, (10, 60))
    if datetime.datetime.fromtimestamp(day0 / 1000, datetime.timezone.utc).weekday() == 2:
        for s in net.servers():
            for svc in ("ssh", "rdp", "winrm"):
                st = day0 + r.randrange(1 * HOUR, 4 * HOUR)
                rows.session(net.scanner, s, svc, st, st + r.randrange(1, 4) * SEC, (3, 8))
    for s in r.sample(net.func_servers["file"] + linux_all, min(50, len(linux_all))):
        st = day0 + r.randrange(0, 5 * HOUR)
        rows.session(net.backup, s, "ssh", st, st + r.randrange(1, 30) * MIN, (200, 5000))
    if weekday:
        for dev in net.developers:
            for _ in range(r.randrange(0, 6)):
                st = day0 + r.randrange(8 * HOUR, 19 * HOUR)
                rows.session(dev, net.git, "ssh", st, st + r.randrange(2, 40) * SEC, (12, 200))
    for _ in range(r.randrange(15, 40) if weekday else r.randrange(2, 6)):
        st = day0 + r.randrange(0, 23 * HOUR)
        runner = r.choice(net.runners)
        rows.session(runner, net.git, "ssh", st, st + r.randrange(5, 60) * SEC, (20, 400))
        if r.random() < 0.3:
            p = rows.session(net.runners[0], net.deploy, "ssh", st + 2 * MIN, st + 12 * MIN)
            for t in r.sample(net.func_servers["app"], 2):
                if not net.windows[t]:
                    c = rows.session(net.deploy, t, "ssh", st + 3 * MIN, st + 8 * MIN)
                    chains.append(dict(id="routine-deploy", hosts=[net.runners[0], net.deploy, t], cycle=False, hops=[p, c]))
    return chains


def event(net, staff, kind, r):
    if kind == "dept-admin":
        d = r.randrange(net.depts)
        a = staff.hire("dept", dept=d)
        a["known"] = False
        return dict(kind="new-admin", hosts=[a["laptop"]], note=f"new IT admin of department {d}: {a['laptop']}")
    if kind == "laptop":
        a = r.choice([a for a in staff.admins if a["team"] != "dept"])
        old = a["laptop"]
        a["laptop"], a["known"] = net.user(r.randrange(net.depts)), False
        return dict(kind="laptop-replaced", hosts=[old, a["laptop"]], note=f"laptop {old} replaced by {a['laptop']}")
    if kind == "servers":
        f = r.choice(["web", "app", "db"])
        base = len(net.func_servers[f])
        new = [f"10.200.{FUNCS.index(f) + 1}.{base + 10 + k}" for k in range(r.randrange(2, 5))]
        for s in new:
            net.windows[s] = False
        net.func_servers[f] += new
        team = "dba" if f == "db" else "linux"
        staff.pools[team] = new + staff.pools[team]
        return dict(kind="servers-added", hosts=new, note=f"{len(new)} new {f} servers")
    if kind == "bastion":
        old = net.bastion
        net.bastion = "10.250.1.11"
        return dict(kind="jump-replaced", hosts=[old, net.bastion], note=f"bastion {old} replaced by {net.bastion}")
    old = net.git
    net.git = "10.250.4.11"
    return dict(kind="git-moved", hosts=[old, net.git], note=f"git server moved from {old} to {net.git}")


def attack(net, staff, kind, day0, rows, r, memory):
    work = day0 + r.randrange(10 * HOUR, 15 * HOUR)
    linux_admins = [a for a in staff.team("linux") if a["known"]]
    if kind == "hijacked-admin":
        a = r.choice(linux_admins)
        t = r.choice([s for s in net.func_servers["app"] + net.func_servers["infra"] if net.windows[s]] or net.func_servers["file"])
        memory["hijacked"] = ([a["laptop"], net.bastion, t], ["ssh", "winrm"])
        return rows.chain([a["laptop"], net.bastion, t], ["ssh", "winrm"], work)
    if kind == "hijacked-again":
        hosts, svcs = memory["hijacked"]
        return rows.chain(hosts, svcs, work)
    if kind == "stolen-laptop":
        a = r.choice(linux_admins)
        t = r.choice([s for s in staff.pools["dba"] if not net.windows[s]] or staff.pools["dba"])
        return rows.chain([a["laptop"], net.bastion, t], ["ssh", "ssh"], work)
    if kind == "long-chain":
        ds = r.sample(range(net.depts), 3)
        hs = [r.choice(net.workstations)] + [r.choice(net.linux(net.dept_servers[d]) or net.dept_servers[d]) for d in ds]
        hs.append(r.choice(net.linux(net.func_servers["db"]) or net.func_servers["db"]))
        return rows.chain(hs, ["ssh"] * 4, work)
    if kind == "weekend-night":
        a = r.choice([a for a in staff.team("dept") if a["known"]])
        s1 = net.dept_servers[a["dept"]][0]
        s2 = r.choice(net.linux(net.func_servers["infra"]) or net.func_servers["infra"])
        return rows.chain([a["laptop"], s1, s2], [svc_for(net, s1, r), "ssh"], day0 + r.randrange(1 * HOUR, 4 * HOUR))
    if kind == "cycle":
        w = r.choice(net.workstations)
        x, y = r.sample(net.linux(net.servers()), 2)
        return rows.chain([w, x, y, x], ["ssh"] * 3, work)
    # extra-hop: a linux admin's routine bastion path, then onward from its usual server
    a = r.choice(linux_admins)
    t = staff.pools["linux"][0]
    x = r.choice([s for s in net.linux(net.servers()) if s != t])
    return rows.chain([a["laptop"], net.bastion, t, x], ["ssh"] * 3, work)


KINDS = ["hijacked-admin", "stolen-laptop", "long-chain", "hijacked-again", "cycle", "extra-hop", "weekend-night"]


def background(con, net, day0, flows, seed, path):
    """Other traffic with server roles: web 443 from workstations, db from app servers, file 445,
    infra DNS/Kerberos/LDAP; a little ssh/rdp noise between random hosts."""
    ws, sv = net.workstations, net.servers()
    con.execute("CREATE OR REPLACE TEMP TABLE ws AS SELECT row_number() OVER () - 1 AS i, a FROM (SELECT unnest(?) AS a)", [ws])
    con.execute("CREATE OR REPLACE TEMP TABLE sv AS SELECT row_number() OVER () - 1 AS i, a FROM (SELECT unnest(?) AS a)", [sv])
    role = {s: f for f, ss in net.func_servers.items() for s in ss}
    ports = {"web": 443, "app": 8443, "db": 5432, "file": 445, "infra": 53}
    sport = [ports.get(role.get(s, "app"), 443) for s in sv]
    con.execute("CREATE OR REPLACE TEMP TABLE sp AS SELECT row_number() OVER () - 1 AS i, p FROM (SELECT unnest(?) AS p)", [sport])
    n = flows // 2
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE bg AS
    WITH x AS (SELECT i, hash(i, {seed}, {day0}) h1, hash(i, {seed}, {day0}, 2) h2, hash(i, {seed}, {day0}, 3) h3,
                      hash(i, {seed}, {day0}, 4) h4 FROM range({n}) t(i)),
    y AS (SELECT i,
            {day0} + CASE WHEN h1 % 100 < 80 THEN 7*{HOUR} + (h1 // 100) % (11*{HOUR}) ELSE (h1 // 100) % {DAY} END AS st,
            h2 % {len(ws)} AS wi, (h3 % 1000003) % {len(sv)} AS si, h4 % 1000 AS k,
            (h4 // 1000) % 90000 AS dur, 1 + (h4 // 100000) % 60 AS pk, 32768 + (h2 // 1000) % 28000 AS cport
          FROM x)
    SELECT y.st, y.dur, y.pk, y.cport, ws.a AS c, sv.a AS s,
           CASE WHEN k < 985 THEN sp.p WHEN k < 993 THEN 22 WHEN k < 997 THEN 3389 ELSE 5985 END AS port
    FROM y JOIN ws ON ws.i = y.wi JOIN sv ON sv.i = y.si JOIN sp ON sp.i = y.si""")
    con.execute(f"""
    COPY (
      SELECT st + dur AS received_ms, st AS flow_start_ms, st + dur AS flow_end_ms, 'absolute' AS time_source,
        '192.0.2.20' AS exporter_addr, 0::BIGINT AS observation_domain_id, 10 AS flow_version,
        c AS src_addr, s AS dst_addr, cport::INTEGER AS src_port, port::INTEGER AS dst_port,
        CASE WHEN port = 53 THEN 17 ELSE 6 END::INTEGER AS proto, 27 AS tcp_flags, pk::BIGINT AS packets,
        (pk * 150)::BIGINT AS bytes, NULL::BIGINT AS in_if, NULL::BIGINT AS out_if,
        NULL::BIGINT AS sampling_interval, NULL::INTEGER AS tos
      FROM bg
      UNION ALL
      SELECT st + dur, st, st + dur, 'absolute', '192.0.2.20', 0, 10, s, c, port::INTEGER, cport::INTEGER,
        CASE WHEN port = 53 THEN 17 ELSE 6 END::INTEGER, 27, (pk + 1)::BIGINT, (pk * 700)::BIGINT, NULL, NULL, NULL, NULL
      FROM bg) TO '{path}/bg.parquet' (FORMAT parquet)""")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--hosts", type=int, default=3000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--attacks-from", type=int, default=8)
    ap.add_argument("--flows", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    net = Campus(a.seed, a.hosts)
    staff = Staff(net, a.seed)
    r = random.Random(a.seed * 101 + 9)
    first = datetime.date(2026, 11, 2)
    sched = {}
    kinds = ["dept-admin", "laptop", "servers"]
    for d in range(3, a.days + 1):
        if (first + datetime.timedelta(days=d - 1)).weekday() < 5:
            sched.setdefault(d, []).append(kinds[d % len(kinds)])
    weekdays = [d for d in range(4, a.days + 1) if (first + datetime.timedelta(days=d - 1)).weekday() < 5]
    sched.setdefault(r.choice(weekdays), []).append("bastion")
    sched.setdefault(r.choice(weekdays), []).append("git")
    con = duckdb.connect()
    truth = dict(shape="campus", days=[])
    memory, k = {}, 0
    for d in range(1, a.days + 1):
        date = first + datetime.timedelta(days=d - 1)
        day0 = int(datetime.datetime(date.year, date.month, date.day, tzinfo=datetime.timezone.utc).timestamp() * 1000)
        weekday, saturday = date.weekday() < 5, date.weekday() == 5
        evs = [event(net, staff, kind, r) for kind in sched.get(d, [])]
        rows = Rows(r)
        routine = workday(net, staff, d, day0, weekday, saturday, rows, r)
        attacks, dec = [], []
        if d >= a.attacks_from:
            kind = KINDS[k % len(KINDS)]
            k += 1
            if kind == "weekend-night" and weekday:
                kind = "extra-hop"
            if kind == "hijacked-again" and "hijacked" not in memory:
                kind = "cycle"
            c = attack(net, staff, kind, day0, rows, r, memory)
            c["id"] = "attack-" + kind
            attacks.append(c)
            if not weekday and kind != "weekend-night":
                c = attack(net, staff, "weekend-night", day0, rows, r, memory)
                c["id"] = "attack-weekend-night"
                attacks.append(c)
            t = day0 + r.randrange(9 * HOUR, 15 * HOUR)
            w, x, y = r.choice(net.workstations), r.choice(net.servers()), r.choice(net.servers())
            h1 = rows.session(w, x, "ssh", t, t + 10 * MIN)
            h2 = rows.session(x, y, "ssh", t + 15 * MIN, t + 25 * MIN)
            dec = [dict(id="child-after-parent-ended", why="second starts after the first ended", hops=[h1, h2])]
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "s.csv")
            with open(csv, "w") as f:
                for row in rows.rows:
                    f.write(",".join(map(str, row)) + "\n")
            background(con, net, day0, a.flows if weekday else a.flows // 3, a.seed, tmp)
            con.execute(f"""CREATE OR REPLACE TEMP TABLE s AS SELECT * FROM read_csv('{csv}', header=false,
              columns={{'e':'BIGINT','st':'BIGINT','en':'BIGINT','c':'VARCHAR','s':'VARCHAR','sp':'INTEGER','dp':'INTEGER',
                        'proto':'INTEGER','fl':'INTEGER','pk':'BIGINT','b':'BIGINT'}})""")
            con.execute(f"""COPY (SELECT *, strftime(to_timestamp(received_ms / 1000), '%Y-%m-%d') AS date,
                  strftime(to_timestamp(received_ms / 1000), '%H') AS hour FROM (
                SELECT * FROM read_parquet('{tmp}/bg.parquet')
                UNION ALL
                SELECT e, st, en, 'absolute', '192.0.2.20', 0::BIGINT, 10, c, s, sp, dp, proto, fl, pk, b,
                       NULL::BIGINT, NULL::BIGINT, NULL::BIGINT, NULL::INTEGER FROM s) ORDER BY received_ms)
                TO '{a.out}' (FORMAT parquet, PARTITION_BY (date, hour), OVERWRITE_OR_IGNORE true,
                  FILENAME_PATTERN 'flows-campus-d{d:02d}-{{i}}')""")
        truth["days"].append(dict(date=date.isoformat(), weekend=not weekday, attacks=attacks, decoys=dec,
                                  routine_events=evs, routine=routine[:50]))
    json.dump(truth, open(a.truth, "w"), indent=1)


if __name__ == "__main__":
    main()
