#!/usr/bin/env python3
"""The alert threshold's frontier over many networks: for thresholds 2.8 .. 4.5, attacks in
alert incidents, noise incidents (alert incidents without an attack), and the worst network's
alert incidents a night (max, mean), over nights FIRST..LAST of every network given.

Usage: sweep-alerts.py [--nights FIRST LAST] NETDIR...

Each NETDIR holds `truth.json` and `reports/` as `scripts/tune.sh` leaves them (and
`leases.csv` when the network was read with its leases). An incident counts as an alert at
threshold T when one of its chains that is not trusted scores T or more and it is not
acknowledged — what `report` decides, read off the reports instead of rerun. It is an estimate
away from the threshold the reports were written with: an alert keeps its deciding facts out of
the next nights' baseline (issue 9's rule), which a lower or higher threshold would change. At
that threshold it gives eval-alerts.py's figures exactly.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def evaluator():
    """scripts/eval-alerts.py's functions (`incidents_of`, `rename`, `load`, `frontier`)."""
    src = open(os.path.join(HERE, "eval-alerts.py")).read()
    module = type(sys)("eval_alerts")
    exec(compile(src.replace("\nmain()", "\n"), "eval-alerts.py", "exec"), module.__dict__)
    return module


def main():
    argv = sys.argv[1:]
    first, last = 8, 14
    if argv[:1] == ["--nights"]:
        first, last = int(argv[1]), int(argv[2])
        argv = argv[3:]
    if not argv:
        sys.exit(__doc__)
    ev = evaluator()
    nets = []
    for net in argv:
        truth = json.load(open(os.path.join(net, "truth.json")))
        leases = os.path.join(net, "leases.csv")
        if os.path.exists(leases):
            ev.rename(truth, leases)
        nights = []
        try:
            for n, d in enumerate(truth["days"], 1):
                if first <= n <= last:
                    nights.append((d, ev.incidents_of(ev.load(os.path.join(net, "reports"), d))))
        except FileNotFoundError as e:
            print(f"{net}: left out, a night's report is missing ({e.filename})", file=sys.stderr)
            continue
        nets.append(nights)
    print(f"{len(nets)} networks, nights {first}-{last}")
    ev.frontier(nets, [t10 / 10 for t10 in range(28, 46)])


main()
