"""The baseline agents, and whole episodes played in one call.

- ``random`` plays valid but aimless actions (seeded);
- ``heuristic`` follows the alerts down the dependency graph, reads logs
  and tries the fix the worst signal suggests;
- ``oracle`` reads the hidden ground truth and plays the ideal path.

>>> from firedrill import Agent, Env
>>> env, agent = Env(), Agent("oracle")
>>> observation = env.reset(scenario="connection-pool-exhaustion-v1", seed=1)
>>> while not observation["done"]:
...     observation = env.step(agent.act(env))["observation"]
>>> env.grade()["score"] >= 0.9
True
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from . import _core
from .env import JSON, ActionLike, Env
from .errors import InvalidArgument

#: The names :class:`Agent` accepts.
AGENT_NAMES: tuple[str, ...] = tuple(_core.AGENT_NAMES)


class Agent:
    """The baseline agent ``name`` (``random``, ``heuristic`` or
    ``oracle``), seeded (only the random agent uses the seed)."""

    __slots__ = ("_core", "name", "seed")

    def __init__(self, name: str, seed: int = 0) -> None:
        self._core = _core.Agent(name, seed)
        self.name = name
        self.seed = seed

    def act(self, env: Env) -> JSON:
        """The action this agent plays now in ``env``'s episode: a dict
        ``{action_type, target, parameters, reasoning}`` for
        :meth:`Env.step`. Raises ``ResetNeeded`` before the first reset and
        ``EpisodeOver`` once the episode has ended."""
        if not isinstance(env, Env):
            raise InvalidArgument(
                f"act: env must be a firedrill.Env, got {type(env).__name__}"
            )
        return json.loads(self._core.act(env._core))

    def __repr__(self) -> str:
        return f"Agent({self.name!r}, seed={self.seed!r})"


def run_episode(
    agent: str | None = None,
    *,
    scenario: str | None = None,
    task: str | None = None,
    seed: int = 0,
    actions: Sequence[ActionLike] | str | None = None,
) -> JSON:
    """Plays a whole episode in a new :class:`Env` and returns its summary,
    what ``firedrill run --json`` prints: see :meth:`Env.run_episode`.

    >>> summary = run_episode("oracle", scenario="dns-failure-v1", seed=7)
    >>> summary["score"], summary["final"], summary["steps"] == len(summary["actions"])
    (1.0, True, True)
    """
    return Env().run_episode(agent, scenario=scenario, task=task, seed=seed, actions=actions)


__all__ = ["AGENT_NAMES", "Agent", "run_episode"]
