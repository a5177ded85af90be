#!/usr/bin/env python3
"""Alerts against the truth of `synth --days`: per day, which attacks are alerts, how many
alerts, decoy alerts. Usage: eval-alerts.py TRUTH.json REPORTS_DIR [FIRST_DAY LAST_DAY] [--sweep]
(1-based, inclusive). Prints a Markdown table and a summary line; exits 1 when an attack in
the range is not an alert or a decoy is. --sweep adds, for thresholds 2.0 .. 6.0, the attacks
that would be alerts and the alerts per day (untrusted chains at or above the threshold, one per
deciding hop, as `pivots` folds them).

An attack counts as found when an alert, or a chain folded into an alert (another possible
origin of the same deciding hop), holds the attack's hosts in order as a contiguous part of its
path (a cycle's path included)."""
import json, os, sys


def contains(path, part):
    n = len(part)
    return any(path[i:i + n] == part for i in range(len(path) - n + 1))


def sweep(days, reports, first, last):
    print()
    print("| threshold | attacks found | alerts/day max | alerts/day mean |")
    print("|---|---|---|---|")
    loaded = [(d, json.load(open(os.path.join(reports, d["date"], "chains.json"))))
              for n, d in enumerate(days, 1) if first <= n <= last]
    for t10 in range(20, 61, 5):
        t = t10 / 10
        found = total = 0
        per_day = []
        for d, r in loaded:
            above = [c for c in r["chains"] if not c["trusted"] and c["score"] >= t]
            per_day.append(len({c["deciding_hop"] for c in above}))
            for a in d["attacks"]:
                total += 1
                found += any(contains(c["hosts"], a["hosts"]) for c in above)
        print(f"| {t:.1f} | {found}/{total} | {max(per_day)} | {sum(per_day) / len(per_day):.1f} |")


def main():
    args = [a for a in sys.argv[1:] if a != "--sweep"]
    truth = json.load(open(args[0]))
    reports = args[1]
    days = truth["days"]
    first = int(args[2]) if len(args) > 2 else 1
    last = int(args[3]) if len(args) > 3 else len(days)
    print("| day | date | weekday | attacks | found as alerts | alerts | chains | decoy alerts | history days |")
    print("|---|---|---|---|---|---|---|---|---|")
    totals = dict(attacks=0, found=0, alerts=[], decoys=0)
    missed = []
    for n, d in enumerate(days, 1):
        if not first <= n <= last:
            continue
        r = json.load(open(os.path.join(reports, d["date"], "chains.json")))
        alerts = [c for c in r["chains"] if c["alert"]]
        ids = {c["id"] for c in alerts}
        shown = alerts + [c for c in r["chains"] if c.get("folded_into") in ids]
        found = 0
        for a in d["attacks"]:
            if any(contains(c["hosts"], a["hosts"]) for c in shown):
                found += 1
            else:
                missed.append(f'{d["date"]} {a["id"]} {" -> ".join(a["hosts"])}')
        decoy_alerts = 0
        for dc in d["decoys"]:
            hosts = {h for hop in dc["hops"] for h in (hop["client"], hop["server"])}
            if any(hosts <= set(c["hosts"]) for c in alerts):
                decoy_alerts += 1
        import datetime
        wd = datetime.date.fromisoformat(d["date"]).strftime("%a")
        print(f'| {n} | {d["date"]} | {wd} | {len(d["attacks"])} | {found} | {len(alerts)} | '
              f'{len(r["chains"])} | {decoy_alerts} | {r["history_days"]} |')
        totals["attacks"] += len(d["attacks"])
        totals["found"] += found
        totals["alerts"].append(len(alerts))
        totals["decoys"] += decoy_alerts
    a = totals["alerts"]
    print()
    print(f'days {first}-{last}: attacks {totals["found"]}/{totals["attacks"]} alerts, '
          f'alerts/day max {max(a)} mean {sum(a) / len(a):.1f}, decoy alerts {totals["decoys"]}')
    for m in missed:
        print("missed:", m)
    if "--sweep" in sys.argv:
        sweep(days, reports, first, last)
    sys.exit(0 if not missed and totals["decoys"] == 0 else 1)


main()
