#!/usr/bin/env python3
"""Renders bench_data's Deployment with Helm's real engine (helm-python-sdk, Helm v4.2.3) and times
the template engine's share: a chart with K copies of the template is rendered and compared with a
chart with 1 copy, so the chart-loading and values overhead cancels out. Prints the rendered text
(for diffing with `cargo run --example bench_render`) and the marginal time per template copy."""
import json, os, shutil, sys, tempfile, time
import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))


def chart(copies):
    d = tempfile.mkdtemp()
    c = os.path.join(d, "app")
    os.makedirs(c + "/templates")
    with open(c + "/Chart.yaml", "w") as f:
        f.write("apiVersion: v2\nname: app\nversion: 0.1.0\n")
    shutil.copy(os.path.join(HERE, "_helpers.tpl"), c + "/templates/_helpers.tpl")
    with open(os.path.join(HERE, "deployment.yaml")) as f:
        text = f.read()
    for i in range(copies):
        with open(f"{c}/templates/deployment{i}.yaml", "w") as f:
            f.write(text)
    return d, c


def timed(copies, rounds, values):
    d, c = chart(copies)
    best = None
    out = None
    for _ in range(rounds):
        ch = helm.Chart.load(c)
        t = time.perf_counter()
        out = ch.render(values, name="rel", namespace="ns")
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    shutil.rmtree(d)
    return best, out


def main():
    with open(os.path.join(HERE, "values.json")) as f:
        values = json.load(f)
    k = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    t1, out = timed(1, 20, values)
    tk, _ = timed(k, 5, values)
    print(out["app/templates/deployment0.yaml"])
    per = (tk - t1) / (k - 1) * 1e6
    print(f"helm render, 1 copy: {t1*1e3:.2f} ms; {k} copies: {tk*1e3:.2f} ms; "
          f"marginal per template (parse+execute): {per:.1f} us", file=sys.stderr)


if __name__ == "__main__":
    main()
