"""Evaluating an agent on a Ray cluster: :func:`evaluate` plays every pair
of a scenario and a seed in Ray tasks, on worker processes that each keep
one :class:`firedrill.Env`, and sums the results up with the Rust core's
summarizer: the report equals :func:`firedrill.evaluate`'s (in sequence)
and ``firedrill evaluate --json``'s (native, on threads), to the last bit.

Needs ``ray`` (``pip install "ray[default]"``); ``import firedrill`` does
not. ``python -m firedrill.evaluate`` is its command line; docs/python-ray.md
says how to run it on one machine and on a multi-node cluster.

How it runs: the episodes (sorted by scenario, then seed) are cut into
batches, about four per worker; at most ``num_workers`` Ray tasks (one
CPU each) run at a time, a new one starting as one ends. Each plays its
batch (a baseline agent in the Rust core, a Python agent called with each
observation) in its worker process's environment (made on the process's
first batch and kept: Ray reuses its worker processes, so a second
evaluation starts warm) and sends back each result as JSON text; the
driver sums them up. A Python agent is shipped to the
workers once with ``ray.put`` (cloudpickle): it must be picklable, and its
module importable on every node (or defined in the driver's script).
"""

from __future__ import annotations

import json
import math
from typing import Any

import ray

from . import _core
from .env import JSON, Env
from .evaluate import AgentLike, SeedsLike, _check, agent_name, plan, play_episodes

#: Batches per worker: enough for the faster workers to take over the
#: slower ones' share, few enough that each call's overhead stays small.
BATCHES_PER_WORKER = 4


#: The environment of this worker process (a Ray worker runs one task at a
#: a time): made on its first batch, reused by the next ones. An ``Env``
#: cannot be pickled, so it is never shipped: each worker makes its own.
_worker_env: Env | None = None


@ray.remote(num_cpus=1)
def play_batch(agent: Any, episodes: list[JSON]) -> list[str]:
    """A Ray task: the results of ``episodes``, as JSON texts, played in
    this worker process's environment."""
    global _worker_env
    if _worker_env is None:
        _worker_env = Env()
    return play_episodes(_worker_env, agent, episodes)


def batches(episodes: list[JSON], num_workers: int) -> list[list[JSON]]:
    """``episodes`` cut into at most ``num_workers × BATCHES_PER_WORKER``
    consecutive batches of nearly equal size."""
    count = min(len(episodes), num_workers * BATCHES_PER_WORKER)
    size = math.ceil(len(episodes) / count)
    return [episodes[i : i + size] for i in range(0, len(episodes), size)]


def init(num_workers: int | None = None, address: str | None = None) -> None:
    """Starts Ray unless it is running: a local instance with
    ``num_workers`` CPUs (``address=None``), or joins the cluster at
    ``address`` (``"auto"``: the one ``ray start`` began on this machine;
    ``"ray://HOST:10001"``: a remote cluster's client server)."""
    if not ray.is_initialized():
        local = address is None
        ray.init(address=address, num_cpus=num_workers if local else None, include_dashboard=False)


def evaluate(
    agent: AgentLike = "heuristic",
    scenarios: str | list[str] | None = None,
    seeds: SeedsLike | None = None,
    *,
    task: str | list[str] | None = None,
    num_workers: int | None = None,
    address: str | None = None,
) -> JSON:
    """Plays every episode of ``scenarios`` and ``task`` at every seed of
    ``seeds`` in at most ``num_workers`` Ray tasks at a time and returns the report
    ``firedrill evaluate --json`` prints (see :func:`firedrill.evaluate`).

    Ray is started when it is not yet: ``ray.init(address=address)``, with
    ``num_cpus=num_workers`` for a local instance (``address=None``);
    ``address="auto"`` joins the cluster started with ``ray start`` on this
    machine. It is left running for the next call. ``num_workers``
    defaults to the cluster's CPUs.
    """
    _check(agent)
    episodes = plan(scenarios, seeds, task)
    init(num_workers, address)
    if num_workers is None:
        num_workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    num_workers = max(1, min(num_workers, len(episodes)))
    shipped = agent if isinstance(agent, str) else ray.put(agent)
    results: list[str] = []
    in_flight: list[Any] = []
    for batch in batches(episodes, num_workers):
        if len(in_flight) >= num_workers:
            done, in_flight = ray.wait(in_flight, num_returns=1)
            results.extend(ray.get(done[0]))
        in_flight.append(play_batch.remote(shipped, batch))
    for played in ray.get(in_flight):
        results.extend(played)
    return json.loads(_core.summarize(agent_name(agent), "[" + ",".join(results) + "]"))


__all__ = ["batches", "evaluate", "init", "play_batch"]
