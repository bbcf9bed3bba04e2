"""Evaluating an agent on a Ray cluster: :func:`evaluate` plays every pair
of a scenario and a seed on Ray actors, each holding one
:class:`firedrill.Env`, and sums the results up with the Rust core's
summarizer: the report equals :func:`firedrill.evaluate`'s (in sequence)
and ``firedrill evaluate --json``'s (native, on threads), to the last bit.

Needs ``ray`` (``pip install "ray[default]"``); ``import firedrill`` does
not. ``python -m firedrill.evaluate`` is its command line; docs/python-ray.md
says how to run it on one machine and on a multi-node cluster.

How it runs: the episodes (sorted by scenario, then seed) are cut into
batches; ``num_workers`` actors (one CPU each) take batches as they free
up (``ray.util.ActorPool``), play them (a baseline agent in the Rust core,
a Python agent called with each observation) and send back each result as
JSON text; the driver sums them up. A Python agent is shipped to the
workers once with ``ray.put`` (cloudpickle): it must be picklable, and its
module importable on every node (or defined in the driver's script).
"""

from __future__ import annotations

import json
import math
from typing import Any

import ray
from ray.util import ActorPool

from . import _core
from .env import JSON, Env
from .evaluate import AgentLike, SeedsLike, _check, agent_name, plan, play_episodes

#: Batches per worker: enough for the faster workers to take over the
#: slower ones' share, few enough that each call's overhead stays small.
BATCHES_PER_WORKER = 4


@ray.remote(num_cpus=1)
class Player:
    """A Ray actor holding one environment (an ``Env`` cannot be pickled:
    it is made on the worker), reused from episode to episode."""

    def __init__(self) -> None:
        self.env = Env()

    def play(self, agent: Any, episodes: list[JSON]) -> list[str]:
        """The results of ``episodes``, as JSON texts."""
        return play_episodes(self.env, agent, episodes)


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
    seeds: SeedsLike = "0",
    *,
    task: str | list[str] | None = None,
    num_workers: int | None = None,
    address: str | None = None,
) -> JSON:
    """Plays every episode of ``scenarios`` and ``task`` at every seed of
    ``seeds`` on ``num_workers`` Ray actors and returns the report
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
    players = [Player.remote() for _ in range(num_workers)]
    try:
        pool = ActorPool(players)
        results: list[str] = []
        for played in pool.map_unordered(
            lambda player, batch: player.play.remote(shipped, batch),
            batches(episodes, num_workers),
        ):
            results.extend(played)
    finally:
        for player in players:
            ray.kill(player)
    return json.loads(_core.summarize(agent_name(agent), "[" + ",".join(results) + "]"))


__all__ = ["Player", "batches", "evaluate", "init"]
