"""Episodes per second of an evaluation from Python: in sequence
(`firedrill.evaluate`) and on a local Ray with 1 and 2 workers
(`firedrill.ray.evaluate`), Ray's start excluded (it is timed apart).
BENCHMARKS.md, "Issue 22: evaluation on Ray", has the figures.

    python python/benches/evaluate.py [--agent heuristic] [--task full_incident_management] [--seeds 1..20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import ray

import firedrill
import firedrill.ray


def best_of(repeat: int, run) -> tuple[float, float, dict]:
    """The best and the first wall time of ``repeat`` runs, and the report."""
    times, report = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        report = run()
        times.append(time.perf_counter() - started)
    return min(times), times[0], report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", default="heuristic")
    parser.add_argument("--task", default="full_incident_management")
    parser.add_argument("--seeds", default="1..20")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    what = dict(task=options.task, seeds=options.seeds)
    seconds, _, reference = best_of(options.repeat, lambda: firedrill.evaluate(options.agent, **what))
    episodes = reference["episodes"]
    print(f"sequential: {episodes} episodes in {seconds:.2f} s, {episodes / seconds:.1f} episodes/s")
    for workers in (1, 2):
        started = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        start_seconds = time.perf_counter() - started
        seconds, first, report = best_of(
            options.repeat, lambda: firedrill.ray.evaluate(options.agent, num_workers=workers, **what)
        )
        assert report == reference, "the Ray evaluation differs from the sequential one"
        print(
            f"ray, {workers} worker(s): {episodes} episodes in {seconds:.2f} s, "
            f"{episodes / seconds:.1f} episodes/s (the first call: {first:.2f} s; Ray's start: {start_seconds:.1f} s)"
        )
        ray.shutdown()


if __name__ == "__main__":
    main()
