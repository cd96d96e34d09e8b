#!/usr/bin/env python3
"""Prints markdown tables from the JMH JSON files in benchmarks/results/: for each result the
median of the measured iterations, ± JMH's 99.9 % error of the mean, and ours vs each peer
(ratio of medians, > 1 means presence is better). Usage: python3 benchmarks/summarize.py [dir]"""
import json, os, sys, statistics
from collections import OrderedDict

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'results')

def fmt(x):
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"

def median(metric):
    raw = [x for fork in metric.get('rawData', []) for x in fork]
    return statistics.median(raw) if raw else metric['score']

for name in sorted(os.listdir(d)):
    if not name.endswith('.json'):
        continue
    runs = json.load(open(os.path.join(d, name)))
    print(f"\n#### {name}\n")
    rows = OrderedDict()
    for r in runs:
        bench = r['benchmark'].split('.')[-2] + '.' + r['benchmark'].split('.')[-1]
        params = dict(r.get('params', {}))
        impl = params.pop('impl', '-')
        key = (bench, tuple(sorted(params.items())))
        m = r['primaryMetric']
        entries = [(bench, m)]
        for sec, sm in r.get('secondaryMetrics', {}).items():
            if sec.startswith('gc.alloc.rate.norm'):
                entries.append((bench + ' (B/op)', sm))
            elif not sec.startswith('gc.') and not sec.startswith('·'):
                entries.append((bench + ':' + sec, sm))
        for b, metric in entries:
            k = (b, key[1])
            rows.setdefault(k, OrderedDict())[impl] = metric
    impls = []
    for v in rows.values():
        for i in v:
            if i not in impls:
                impls.append(i)
    unit = runs[0]['primaryMetric']['scoreUnit'] if runs else ''
    peers = [i for i in impls if i not in ('presence', '-')]
    head = "| benchmark | params | " + " | ".join(impls) + " |"
    if 'presence' in impls and peers:
        head += " " + " | ".join(f"presence vs {p}" for p in peers) + " |"
    print(head)
    print("|" + "---|" * (head.count('|') - 1))
    for (b, params), v in rows.items():
        ps = ", ".join(f"{k}={val}" for k, val in params) or "-"
        cells = []
        for i in impls:
            m = v.get(i)
            if m is None:
                cells.append("")
            else:
                err = m.get('scoreError')
                e = "" if err is None or err != err else f" ± {fmt(err)}"
                cells.append(f"{fmt(median(m))}{e} {m['scoreUnit']}")
        line = f"| {b} | {ps} | " + " | ".join(cells) + " |"
        if 'presence' in v and peers:
            ours = v['presence']
            rs = []
            for p in peers:
                if p not in v:
                    rs.append("")
                    continue
                a, bb = median(ours), median(v[p])
                hib = ours['scoreUnit'].startswith('ops/')
                # "x faster" is > 1 when ours is better, whatever the unit
                ratio = (a / bb) if hib else (bb / a)
                rs.append(f"{ratio:.2f}×")
            line += " " + " | ".join(rs) + " |"
        print(line)
