"""Evaluating an agent over many episodes: every pair of a scenario and a
seed played to its end, then the grades summed up per scenario and per
grade dimension, as ``firedrill evaluate --json`` does.

:func:`evaluate` plays them in sequence here; :func:`firedrill.ray.evaluate`
spreads them over a Ray cluster; ``python -m firedrill.evaluate`` is the
command line of the latter. All of them sum up with the Rust core's
summarizer (the native CLI's), which sorts the episodes by scenario id,
then seed, before it adds anything up: the same episodes give the same
report, to the last bit, wherever and in whatever order they were played.

The agent is a baseline agent's name (``random``, ``heuristic``,
``oracle``: played by the Rust core, as the CLI plays it) or a Python
agent: a callable ``agent(observation) -> action`` (the observation a
dict, the action a dict ``{action_type, target, parameters, reasoning}``
or its JSON text), or a class whose instances are such callables (one new
instance per episode). A Python agent's episode result is computed from
``Env.grade()`` and ``Env.state()`` with the same fields as a baseline
agent's.

>>> from firedrill import evaluate
>>> report = evaluate("oracle", scenarios=["dns-failure-v1"], seeds="1..3")
>>> report["episodes"], report["per_scenario"][0]["mean_score"] >= 0.9
(3, True)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Union

from .. import _core
from ..env import JSON, Env
from ..errors import InvalidArgument

#: An agent for an evaluation: a baseline agent's name, or a Python agent
#: (a callable ``observation -> action``, or a class of them).
AgentLike = Union[str, Callable[[JSON], Any]]
#: Seeds: ``"N..M"`` (inclusive), one seed, or an iterable of seeds.
SeedsLike = Union[str, int, Iterable[int]]


def parse_seeds(seeds: SeedsLike) -> list[int]:
    """The seeds, sorted and without duplicates: ``"1..20"`` (inclusive, as
    ``firedrill evaluate --seeds``), ``"1..=20"``, ``"7"``, ``7``,
    ``range(1, 21)`` or any iterable of ints."""
    if isinstance(seeds, str):
        text = seeds.strip()
        first, dots, last = text.partition("..")
        last = last[1:] if last.startswith("=") else last
        try:
            span = (int(first), int(last)) if dots else (int(text), int(text))
        except ValueError:
            span = (-1, -1)
        if span[0] < 0 or span[1] < span[0]:
            raise InvalidArgument(
                f"evaluate: seeds expects an inclusive range N..M of unsigned integers"
                f" with M ≥ N (such as 1..20) or one seed N, found {seeds!r}"
            )
        return list(range(span[0], span[1] + 1))
    if isinstance(seeds, bool):
        raise InvalidArgument(f"evaluate: seeds must be N..M, an int or ints, got {seeds!r}")
    if isinstance(seeds, int):
        seeds = [seeds]
    listed = sorted(set(seeds))
    if not listed or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in listed):
        raise InvalidArgument(f"evaluate: seeds must be unsigned ints, at least one, got {listed!r}")
    return listed


def _names(value: str | Sequence[str] | None) -> list[str]:
    """A repeatable, comma-separated option's items."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def plan(
    scenarios: str | Sequence[str] | None = None,
    seeds: SeedsLike | None = None,
    task: str | Sequence[str] | None = None,
) -> list[JSON]:
    """The episodes to play, ``[{scenario, seed}]``: every scenario given
    and every scenario of each task given, times every seed, sorted by
    scenario id, then seed (the order of the report's ``results``)."""
    if seeds is None:
        raise InvalidArgument("evaluate: give seeds: \"N..M\" (inclusive), one seed, or a list of them")
    chosen = []
    catalog = json.loads(_core.scenarios())
    known = {s["id"] for s in catalog}
    for name in _names(task):
        of_task = [s["id"] for s in catalog if s["task"] == name]
        if not of_task:
            tasks = sorted({s["task"] for s in catalog})
            raise InvalidArgument(f"evaluate: task expects one of {', '.join(tasks)}, found {name!r}")
        chosen.extend(of_task)
    for name in _names(scenarios):
        if name not in known:
            raise InvalidArgument(f"evaluate: unknown scenario {name!r} (firedrill.scenarios() lists them)")
        chosen.append(name)
    if not chosen:
        raise InvalidArgument("evaluate: give scenarios=[ID, ...] or task=TASK (either may be several)")
    return [{"scenario": s, "seed": seed} for s in sorted(set(chosen)) for seed in parse_seeds(seeds)]


def agent_name(agent: AgentLike) -> str:
    """The name a report gives the agent: a baseline agent's name, a
    Python agent's ``__name__`` (its class's for an instance)."""
    if isinstance(agent, str):
        return agent
    return getattr(agent, "__name__", None) or type(agent).__name__


def _check(agent: AgentLike) -> None:
    if isinstance(agent, str):
        if agent not in _core.AGENT_NAMES:
            raise InvalidArgument(
                f"evaluate: unknown agent {agent!r}: expected one of "
                f"{', '.join(_core.AGENT_NAMES)} or a callable observation -> action"
            )
    elif not callable(agent):
        raise InvalidArgument(
            f"evaluate: agent must be a baseline agent's name or a callable, got {type(agent).__name__}"
        )


def play_episodes(env: Env, agent: AgentLike, episodes: Iterable[JSON]) -> list[str]:
    """Plays each episode ``{scenario, seed}`` in ``env`` and returns each
    result as JSON text (what :func:`summarize` reads). A baseline agent
    plays in the Rust core (seeded with the episode's seed, as ``firedrill
    evaluate``); a Python agent is called with each observation."""
    results = []
    for episode in episodes:
        scenario, seed = episode["scenario"], episode["seed"]
        if isinstance(agent, str):
            results.append(env._core.play_episode(agent, scenario, seed))
            continue
        player = agent() if isinstance(agent, type) else agent
        observation = env.reset(scenario=scenario, seed=seed)
        while not observation["done"]:
            observation = env.step(player(observation))["observation"]
        results.append(env._core.episode_result())
    return results


def summarize(agent: AgentLike, results: Iterable[str | JSON]) -> JSON:
    """The report of episode results (JSON texts of :func:`play_episodes`,
    or their dicts), played anywhere and in any order: the Rust core's
    summarizer, so the numbers are ``firedrill evaluate``'s."""
    texts = [r if isinstance(r, str) else json.dumps(r) for r in results]
    return json.loads(_core.summarize(agent_name(agent), "[" + ",".join(texts) + "]"))


def evaluate(
    agent: AgentLike = "heuristic",
    scenarios: str | Sequence[str] | None = None,
    seeds: SeedsLike | None = None,
    *,
    task: str | Sequence[str] | None = None,
) -> JSON:
    """Plays every episode of ``scenarios`` (ids) and of ``task`` (a task
    id, or several) at every seed of ``seeds`` in sequence in this process
    and returns the report ``firedrill evaluate --json`` prints:
    ``{agent, seeds, episodes, mean_score, pass_rate, per_scenario:
    [{scenario, task, episodes, mean_score, min_score, max_score,
    pass_rate, dimensions}], per_dimension, results}``."""
    _check(agent)
    episodes = plan(scenarios, seeds, task)
    if isinstance(agent, str):
        return json.loads(_core.evaluate(agent, json.dumps(episodes)))
    return summarize(agent, play_episodes(Env(), agent, episodes))


__all__ = ["AgentLike", "SeedsLike", "agent_name", "evaluate", "parse_seeds", "plan", "play_episodes", "summarize"]
