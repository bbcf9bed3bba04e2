"""``python -m firedrill.evaluate``: a baseline agent over every pair of a
scenario (given, or every scenario of a task) and a seed of a range,
played on Ray (:func:`firedrill.ray.evaluate`), with the options and the
output of the native ``firedrill evaluate``: an aligned table (one row per
scenario, one column per grade dimension, then a row over all episodes),
the report as JSON (``--json``) or one CSV row per episode (``--csv``);
then the wall time and the episodes per second on stderr.

    python -m firedrill.evaluate --agent heuristic --task root_cause_analysis --seeds 1..20 --workers 2
    python -m firedrill.evaluate --scenario dns-failure-v1 --seeds 1..100 --address auto --json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal

from .. import _core
from ..errors import FiredrillError
from . import parse_seeds


def _score(x: float) -> str:
    return f"{x:.3f}"


def _percent(x: float) -> str:
    return f"{x * 100:.0f}%"


def _seeds_text(seeds: dict) -> str:
    first, last, count = seeds["first"], seeds["last"], seeds["count"]
    if first == last:
        return f"seed {first}"
    if last - first + 1 == count:
        return f"seeds {first}..{last}"
    return f"{count} seeds from {first} to {last}"


def table(report: dict) -> str:
    """The native CLI's table of a report."""
    dimensions = list(report["per_dimension"])
    header = ["scenario", "task", "episodes", "mean", "min", "max", "passed", *dimensions]
    rows: list[list[tuple[str, bool]]] = []  # (text, right-aligned)
    for s in report["per_scenario"]:
        row = [(s["scenario"], False), (s["task"], False), (str(s["episodes"]), True)]
        row += [(_score(s[k]), True) for k in ("mean_score", "min_score", "max_score")]
        row.append((_percent(s["pass_rate"]), True))
        row += [(_score(s["dimensions"][d]) if d in s["dimensions"] else "-", True) for d in dimensions]
        rows.append(row)
    scores = [r["score"] for r in report["results"]]
    total = [("all", False), ("", False), (str(report["episodes"]), True)]
    total += [(_score(report["mean_score"]), True), (_score(min(scores)), True), (_score(max(scores)), True)]
    total.append((_percent(report["pass_rate"]), True))
    total += [(_score(mean), True) for mean in report["per_dimension"].values()]
    widths = [len(h) for h in header]
    for row in [*rows, total]:
        widths = [max(w, len(text)) for w, (text, _) in zip(widths, row)] + widths[len(row) :]

    def line(cells: list[tuple[str, bool]]) -> str:
        padded = [text.rjust(w) if right else text.ljust(w) for (text, right), w in zip(cells, widths)]
        return "  ".join(padded).rstrip() + "\n"

    text = (
        f"agent {report['agent']} over {len(report['per_scenario'])} scenario(s), "
        f"{_seeds_text(report['seeds'])}: {report['episodes']} episodes, mean score "
        f"{report['mean_score']:.3f}, {report['pass_rate'] * 100:.0f}% passed\n\n"
    )
    text += line([(h, False) for h in header])
    text += "".join(line(row) for row in rows)
    return text + line(total)


def _number(x: float) -> str:
    """A number as Rust's ``Display`` writes an f64: the shortest text that
    reads back the same, without an exponent or a trailing ``.0``."""
    text = format(Decimal(repr(float(x))), "f")
    return text[:-2] if text.endswith(".0") else text


def csv(report: dict) -> str:
    """One row per episode: ``scenario,task,seed,score,<dimension…>``."""
    dimensions = list(report["per_dimension"])
    lines = [",".join(["scenario", "task", "seed", "score", *dimensions])]
    for r in report["results"]:
        scenario = r["scenario"]
        if any(c in scenario for c in ',"\n\r'):
            scenario = '"' + scenario.replace('"', '""') + '"'
        cells = [scenario, r["task"], str(r["seed"]), _number(r["score"])]
        cells += [_number(r["dimensions"][d]) if d in r["dimensions"] else "" for d in dimensions]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m firedrill.evaluate",
        description="Evaluate a baseline agent over scenarios × seeds on Ray (as `firedrill evaluate`).",
    )
    parser.add_argument("--agent", default="heuristic", choices=list(_core.AGENT_NAMES))
    parser.add_argument("--task", action="append", default=[], help="a task id (repeatable, comma-separated)")
    parser.add_argument("--scenario", action="append", default=[], help="a scenario id (repeatable, comma-separated)")
    parser.add_argument("--seeds", required=True, help="N..M (inclusive) or one seed N")
    parser.add_argument("--workers", type=int, default=None, help="Ray tasks at a time (default: the cluster's CPUs)")
    parser.add_argument("--address", default=None, help="a Ray cluster to join (auto: the one `ray start` began here); default: a local Ray")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the report as JSON")
    output.add_argument("--csv", action="store_true", help="one row per episode")
    options = parser.parse_args(argv)
    if not options.task and not options.scenario:
        parser.error("evaluate needs --task TASK or --scenario ID (either may be repeated or comma-separated)")
    if options.workers is not None and options.workers < 1:
        parser.error("--workers expects a count of at least 1")

    from .. import ray as firedrill_ray  # Ray's import is slow: only here

    try:
        parse_seeds(options.seeds)
        firedrill_ray.init(options.workers, options.address)
        started = time.perf_counter()
        report = firedrill_ray.evaluate(
            options.agent,
            scenarios=options.scenario or None,
            seeds=options.seeds,
            task=options.task or None,
            num_workers=options.workers,
            address=options.address,
        )
        wall_seconds = time.perf_counter() - started
    except FiredrillError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.json:
        text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    elif options.csv:
        text = csv(report)
    else:
        text = table(report)
    sys.stdout.write(text)
    sys.stdout.flush()
    workers = options.workers if options.workers is not None else "all"
    print(
        f"{report['episodes']} episodes in {wall_seconds:.2f} s: "
        f"{report['episodes'] / max(wall_seconds, 1e-9):.1f} episodes/s on {workers} Ray worker(s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
