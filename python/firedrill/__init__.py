"""Firedrill: incident-response drills for agents, from Python.

A seeded simulation of microservices in the middle of an incident whose
blast radius grows every step, the environment contract to respond to it
(``reset`` / ``step`` / ``state`` / ``grade``), PromQL over the episode's
metrics, a grader and baseline agents: the Rust core of the ``firedrill``
CLI and the browser app, built into this package with PyO3. The same
scenario, seed and actions give the same trajectory and score here, in
the CLI and in the browser.

>>> import firedrill
>>> env = firedrill.Env()
>>> observation = env.reset(scenario="connection-pool-exhaustion-v1", seed=42)
>>> agent = firedrill.Agent("heuristic")
>>> while not observation["done"]:
...     step = env.step(agent.act(env))
...     observation = step["observation"]
>>> grade = env.grade()
>>> grade["final_grade"], [d["name"] for d in grade["dimensions"]][:2]
(True, ['severity_accuracy', 'diagnosis_accuracy'])

The modules:

- :mod:`firedrill.env`: :class:`Env`;
- :mod:`firedrill.agents`: :class:`Agent` (``random``, ``heuristic``,
  ``oracle``) and :func:`run_episode`;
- :mod:`firedrill.errors`: :class:`FiredrillError` and one subclass per
  kind (``ResetNeeded``, ``EpisodeOver``, ``InvalidAction``, …);
- :mod:`firedrill.evaluate`: :func:`evaluate`, an agent over many
  episodes, summed up as ``firedrill evaluate --json``;
- :mod:`firedrill.ray` (needs ``ray``): the same on a Ray cluster, and
  ``python -m firedrill.evaluate``;
- :mod:`firedrill.gym` (needs ``gymnasium``): :class:`~firedrill.gym.FiredrillEnv`,
  registered as ``firedrill/Firedrill-v0`` once both are imported;
- :mod:`firedrill.openenv`: the OpenEnv environment, its models and
  ``FiredrillClient`` (needs ``openenv-core``);
- :mod:`firedrill.server`: ``python -m firedrill.server``, OpenEnv over
  HTTP and WebSocket with sessions, and each session's Prometheus API;
- here: :func:`scenarios`, :func:`causes`, :func:`curriculum`,
  :func:`packs`, :func:`grade_code`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import sys
from types import ModuleType
from typing import Any

from . import _core
from .agents import AGENT_NAMES, Agent, run_episode
from .env import JSON, Env
from .evaluate import evaluate
from .errors import (
    EpisodeOver,
    FiredrillError,
    InternalError,
    InvalidAction,
    InvalidArgument,
    QueryError,
    ResetNeeded,
    ScenarioError,
    UnknownScenario,
    UnknownTask,
)

#: The version of the Rust core this package was built from.
__version__: str = _core.VERSION
#: The action types, in their canonical order.
ACTION_TYPES: tuple[str, ...] = tuple(_core.ACTION_TYPES)
#: The largest seed: 2**53 - 1, so that a seed survives JavaScript numbers
#: and JSON (the browser replays every seed the same).
MAX_SEED: int = _core.MAX_SEED


def scenarios() -> list[JSON]:
    """The built-in scenarios: ``[{id, handle, title, debrief_title, task,
    fault, services}]`` (``firedrill list --json``)."""
    return json.loads(_core.scenarios())


def causes() -> list[JSON]:
    """The taxonomy of causes a diagnosis names: ``[{id, name,
    description}]`` (``firedrill causes --json``)."""
    return json.loads(_core.causes())


def curriculum() -> list[JSON]:
    """The stages, easy to hard: ``[{task, title, objective, difficulty,
    step_budget, pass_mark, dimensions, scenarios, ...}]``
    (``firedrill curriculum --json``)."""
    return json.loads(_core.curriculum())


def packs() -> list[JSON]:
    """The built-in workshop packs: ``[{id, title, summary, objectives,
    drills}]`` (``firedrill packs --json``)."""
    return json.loads(_core.packs())


def grade_code(code: str) -> JSON:
    """Replays a result code (``r1.…``) over the built-in scenarios and
    grades the episode it plays, as ``firedrill grade-code`` does (the
    code's own score is never trusted)."""
    return json.loads(_core.grade_code(code))


def __getattr__(name: str) -> ModuleType:
    """``firedrill.ray`` and ``firedrill.gym`` on first use: their
    dependencies (ray, gymnasium) are optional and slow to import."""
    if name in ("ray", "gym"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'firedrill' has no attribute {name!r}")


class _RegisterWithGymnasium(importlib.abc.MetaPathFinder):
    """Registers ``firedrill/Firedrill-v0`` right after gymnasium is
    imported (if it ever is), so that neither import order nor an
    unused gymnasium costs anything."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "gymnasium":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            exec_module = spec.loader.exec_module

            def exec_and_register(module: ModuleType) -> None:
                exec_module(module)
                from .gym import register

                register()

            spec.loader.exec_module = exec_and_register  # type: ignore[method-assign]
        return spec


def _gymnasium_installed() -> bool:
    try:
        return importlib.util.find_spec("gymnasium") is not None
    except (ImportError, ValueError):  # a broken or blocked gymnasium
        return False


if sys.modules.get("gymnasium") is not None:
    from .gym import register as _register

    _register()
elif "gymnasium" not in sys.modules and _gymnasium_installed():
    sys.meta_path.insert(0, _RegisterWithGymnasium())


__all__ = [
    "ACTION_TYPES",
    "AGENT_NAMES",
    "MAX_SEED",
    "Agent",
    "Env",
    "EpisodeOver",
    "FiredrillError",
    "InternalError",
    "InvalidAction",
    "InvalidArgument",
    "QueryError",
    "ResetNeeded",
    "ScenarioError",
    "UnknownScenario",
    "UnknownTask",
    "causes",
    "curriculum",
    "evaluate",
    "grade_code",
    "packs",
    "run_episode",
    "scenarios",
]
