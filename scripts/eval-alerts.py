#!/usr/bin/env python3
"""Alert incidents against the truth of `synth --days`: per night, which attacks are in an alert
incident, how many alert incidents, decoys in alerts, and what each routine event caused.

Usage: eval-alerts.py TRUTH.json REPORTS_DIR [FIRST_DAY LAST_DAY] [--sweep] [--noise] [--json FILE]
[--leases FILE] (days 1-based, inclusive; --leases: the reports were made with `report --leases
FILE`, so the truth's addresses are named by their leases first). Prints a Markdown table and a summary line; exits 1 when an attack in
the range is not in an alert incident or a decoy is.

- An attack counts as found when a chain of an alert incident (any of its chains, folded ones
  included) holds the attack's hosts in order as a contiguous part of its path.
- A decoy is in an alert when all of its hosts are on one chain of an alert incident.
- A routine event "made" an alert incident when an alert incident of its night or the two
  nights after has a chain through one of the event's hosts (new admin, new server, ...) and
  holds no attack.
- --sweep: for thresholds 2.0 .. 6.0, attacks found, noise incidents and alert incidents per
  night (incidents with an untrusted chain at or above the threshold, not acknowledged;
  `frontier`, which scripts/sweep-alerts.py runs over many networks).
- --noise: every alert incident that holds no attack, with its strongest reason.
- Reports written before incidents existed (no `incidents` list) count each alert chain as one
  incident.
"""
import datetime
import json
import os
import sys


def contains(path, part):
    n = len(part)
    return any(path[i:i + n] == part for i in range(len(path) - n + 1))


def incidents_of(r):
    """[(incident, [chains])] of a report; old reports: one per alert chain."""
    by_id = {c["id"]: c for c in r["chains"]}
    if "incidents" in r:
        return [(i, [by_id[c] for c in i["chains"] if c in by_id]) for i in r["incidents"]]
    out = []
    for c in r["chains"]:
        if c["alert"]:
            members = [c] + [by_id[a] for a in c.get("alternatives", []) if a in by_id]
            out.append(({"id": c["id"], "alert": True, "score": c["score"],
                         "reasons": c["reasons"]}, members))
    return out


def load(reports, d):
    return json.load(open(os.path.join(reports, d["date"], "chains.json")))


def frontier(nets, thresholds):
    """For each threshold, over `nets` (per network, its nights as (truth day, incidents_of)):
    attacks in alert incidents, noise incidents, and the worst network's alert incidents a
    night (max, mean); an incident is an alert at T when a chain of it that is not trusted
    scores T or more and it is not acknowledged. Printed as a Markdown table."""
    def hit(attack, chains):
        return any(contains(c["hosts"], attack["hosts"]) for c in chains)

    print("| threshold | attacks in alert incidents | noise incidents | alert incidents/night max | worst mean |")
    print("|---|---|---|---|---|")
    for t in thresholds:
        found = total = noise = worst = 0
        worst_mean = 0.0
        for nights in nets:
            per_night = []
            for d, incs in nights:
                alerts = [cs for i, cs in incs if not i.get("acknowledged")
                          and any(not c["trusted"] and c["score"] >= t for c in cs)]
                per_night.append(len(alerts))
                for a in d["attacks"]:
                    total += 1
                    found += any(hit(a, cs) for cs in alerts)
                noise += sum(1 for cs in alerts if not any(hit(a, cs) for a in d["attacks"]))
            if per_night:
                worst = max(worst, max(per_night))
                worst_mean = max(worst_mean, sum(per_night) / len(per_night))
        print(f"| {t:.1f} | {found}/{total} | {noise} | {worst} | {worst_mean:.2f} |")


def sweep(days, reports, first, last):
    print()
    loaded = [(d, incidents_of(load(reports, d))) for n, d in enumerate(days, 1) if first <= n <= last]
    frontier([loaded], [t10 / 10 for t10 in range(20, 61, 5)])


def rename(truth, path):
    """The truth's hosts named as `report --leases path` names them: an address by the identity
    whose lease holds it at noon (UTC) of the truth's day (the leases `scripts/othernet.py
    --leases-out` writes last a day)."""
    import csv
    leases = {}
    for row in csv.DictReader(open(path)):
        until = float(row["until"]) if row["until"] else float("inf")
        leases.setdefault(row["address"], []).append((float(row["from"]), until, row["identity"]))
    for d in truth["days"]:
        noon = datetime.datetime.fromisoformat(d["date"] + "T12:00:00+00:00").timestamp()
        def name(h):
            return next((i for f, u, i in reversed(leases.get(h, [])) if f <= noon < u), h)
        for c in d["attacks"] + d["decoys"]:
            c["hosts"] = [name(h) for h in c.get("hosts", [])]
            for hop in c["hops"]:
                hop["client"], hop["server"] = name(hop["client"]), name(hop["server"])
        for e in d["routine_events"]:
            e["hosts"] = [name(h) for h in e["hosts"]]


def main():
    flags = {"--sweep", "--noise"}
    argv = sys.argv[1:]
    json_out = leases = None
    if "--json" in argv:
        k = argv.index("--json")
        json_out = argv[k + 1]
        del argv[k:k + 2]
    if "--leases" in argv:
        k = argv.index("--leases")
        leases = argv[k + 1]
        del argv[k:k + 2]
    args = [a for a in argv if a not in flags]
    truth = json.load(open(args[0]))
    if leases:
        rename(truth, leases)
    reports = args[1]
    days = truth["days"]
    first = int(args[2]) if len(args) > 2 else 1
    last = int(args[3]) if len(args) > 3 else len(days)
    print("| night | date | weekday | attacks | in alerts | alert incidents | incidents | chains | decoys in alerts | routine events | history days |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    totals = dict(attacks=0, found=0, alerts=[], chains=[], incidents=[], decoys=0)
    missed, noise = [], []
    event_alerts = {}
    for n, d in enumerate(days, 1):
        if not first <= n <= last:
            continue
        r = load(reports, d)
        incs = incidents_of(r)
        alert = [(i, cs) for i, cs in incs if i["alert"]]
        found = 0
        for a in d["attacks"]:
            if any(contains(c["hosts"], a["hosts"]) for _, cs in alert for c in cs):
                found += 1
            else:
                best = [c for c in r["chains"] if contains(c["hosts"], a["hosts"])]
                where = (f'best chain rank {best[0]["rank"]} score {best[0]["score"]}'
                         if best else "no chain")
                missed.append(f'{d["date"]} {a["id"]} {" -> ".join(a["hosts"])} ({where})')
        decoy_alerts = 0
        for dc in d["decoys"]:
            hosts = {h for hop in dc["hops"] for h in (hop["client"], hop["server"])}
            if any(hosts <= set(c["hosts"]) for _, cs in alert for c in cs):
                decoy_alerts += 1
        # Alert incidents without an attack: which routine event (this night or the two before)
        # touches them?
        recent = [(m, e) for m, dd in enumerate(days, 1) if n - 2 <= m <= n
                  for e in dd.get("routine_events", [])]
        for i, cs in alert:
            if any(contains(c["hosts"], a["hosts"]) for a in d["attacks"] for c in cs):
                continue
            hosts = {h for c in cs for h in c["hosts"]}
            cause = [f'{e["kind"]} (night {m})' for m, e in recent if hosts & set(e["hosts"])]
            for m, e in recent:
                if hosts & set(e["hosts"]):
                    key = (m, e["kind"], tuple(e["hosts"]))
                    event_alerts[key] = event_alerts.get(key, 0) + 1
            noise.append((d["date"], i, cs, cause))
        wd = datetime.date.fromisoformat(d["date"]).strftime("%a")
        ev = ", ".join(e["kind"] for e in d.get("routine_events", [])) or "–"
        print(f'| {n} | {d["date"]} | {wd} | {len(d["attacks"])} | {found} | {len(alert)} | '
              f'{len(incs)} | {len(r["chains"])} | {decoy_alerts} | {ev} | {r["history_days"]} |')
        totals["attacks"] += len(d["attacks"])
        totals["found"] += found
        totals["alerts"].append(len(alert))
        totals["incidents"].append(len(incs))
        totals["chains"].append(len(r["chains"]))
        totals["decoys"] += decoy_alerts
    a = totals["alerts"]
    print()
    summary = dict(attacks=totals["attacks"], found=totals["found"], alerts_max=max(a),
                   alerts_mean=round(sum(a) / len(a), 2), decoys=totals["decoys"],
                   chains_mean=round(sum(totals["chains"]) / len(a)),
                   incidents_mean=round(sum(totals["incidents"]) / len(a), 1),
                   noise=len(noise), missed=missed)
    print(f'nights {first}-{last}: attacks {totals["found"]}/{totals["attacks"]} in alert incidents, '
          f'alert incidents/night max {max(a)} mean {sum(a) / len(a):.2f}, '
          f'decoys in alerts {totals["decoys"]}, chains/night mean {summary["chains_mean"]}')
    for m in missed:
        print("missed:", m)
    if event_alerts:
        print("routine events that made alert incidents:",
              "; ".join(f"night {m} {k} {h[0] if h else ''}: {c}" for (m, k, h), c in sorted(event_alerts.items())))
    if "--noise" in sys.argv:
        print()
        for date, i, cs, cause in noise:
            reason = (i.get("reasons") or ["?"])[0]
            print(f'- {date} {i["id"]} score {i["score"]} ({len(cs)} chains) {" -> ".join(cs[0]["hosts"])}: '
                  f'{reason} [{", ".join(cause) or "no routine event"}]')
    if "--sweep" in sys.argv:
        sweep(days, reports, first, last)
    if json_out:
        json.dump(summary, open(json_out, "w"), indent=1)
    sys.exit(0 if not missed and totals["decoys"] == 0 else 1)


main()
