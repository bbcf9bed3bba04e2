"""Firedrill as an OpenEnv environment (``openenv-core``): the models
:class:`FiredrillAction`, :class:`FiredrillObservation` and
:class:`FiredrillState`, the server side :class:`FiredrillEnvironment`
(what ``python -m firedrill.server`` serves with OpenEnv's ``create_app``)
and the client :class:`FiredrillClient`, an ``EnvClient`` over the
server's WebSocket ``/ws``.

>>> from firedrill.openenv import FiredrillAction, FiredrillEnvironment
>>> env = FiredrillEnvironment()
>>> observation = env.reset(scenario="dns-failure-v1", seed=7)
>>> observation.step, observation.done, observation.reward is None
(0, False, True)
>>> observation = env.step(FiredrillAction(action_type="classify", parameters={"severity": "P1"}))
>>> env.state.step_count
1

With a server running (``python -m firedrill.server --port 8000``)::

    from firedrill.openenv import FiredrillAction, FiredrillClient

    with FiredrillClient(base_url="http://127.0.0.1:8000").sync() as client:
        result = client.reset(task="root_cause_analysis", seed=3)
        while not result.done:
            result = client.step(FiredrillAction(action_type="investigate", target="orders-db"))
        print(result.observation.grade["score"])

Needs ``openenv-core`` (``pip install openenv-core``); the rest of the
package does not.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any, Callable, Dict, List, Optional

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import (
    Action,
    EnvironmentMetadata,
    Observation,
    State,
)
from pydantic import ConfigDict, Field

from . import __version__
from .env import JSON, Env
from .errors import InvalidArgument

#: The task an episode plays when ``reset`` names neither a task nor a scenario.
DEFAULT_TASK = "full_incident_management"
#: The finished episodes a session's leaderboard keeps (the best ones).
LEADERBOARD_SIZE = 100
#: The parameters ``reset`` takes.
RESET_PARAMETERS = ("seed", "episode_id", "task", "scenario")


class FiredrillAction(Action):
    """One action of the incident response: ``action_type`` (``investigate``,
    ``classify``, ``diagnose``, ``remediate``, ``escalate``,
    ``communicate``, …: ``firedrill.ACTION_TYPES``), its ``target`` service,
    its ``parameters`` (``severity``, ``root_cause``, ``fix``, …) and the
    agent's ``reasoning``, as the core's action JSON."""

    action_type: str = Field(description="One of firedrill.ACTION_TYPES", max_length=64)
    target: Optional[str] = Field(default=None, description="The service acted on", max_length=200)
    parameters: Dict[str, str] = Field(
        default_factory=dict, description="severity, root_cause, fix, team, message, ..."
    )
    reasoning: str = Field(default="", description="Why (graded in some dimensions)")

    def core(self) -> JSON:
        """The action as :meth:`firedrill.Env.step` takes it."""
        action: JSON = {"action_type": self.action_type, "reasoning": self.reasoning}
        if self.target is not None:
            action["target"] = self.target
        if self.parameters:
            action["parameters"] = dict(self.parameters)
        return action


class FiredrillObservation(Observation):
    """What the agent sees after a reset or a step: the core's observation
    (the fields of ``firedrill.Env.observation()``: alerts, services, SLOs,
    investigations, changes, …) with ``reward`` (the step's; ``None`` after
    a reset) and ``done``, the step's ``terminated``, ``truncated`` and
    ``info``, the ``session_id`` (for ``/sessions/<id>/api/v1/…``), and the
    final ``grade`` once the episode is over."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)

    session_id: str = Field(default="", description="The server session this episode plays in")
    episode_id: Optional[str] = Field(default=None, description="The episode's identifier")
    scenario: str = Field(default="", description="The scenario id")
    task: str = Field(default="", description="The task id")
    title: str = Field(default="")
    objective: str = Field(default="")
    summary: str = Field(default="")
    step: int = Field(default=0, ge=0)
    step_budget: int = Field(default=0, ge=0)
    time: int = Field(default=0, description="Simulated Unix seconds")
    status: str = Field(default="")
    alerts: List[Dict[str, Any]] = Field(default_factory=list)
    services: List[Dict[str, Any]] = Field(default_factory=list)
    slos: List[Dict[str, Any]] = Field(default_factory=list)
    investigations: List[Dict[str, Any]] = Field(default_factory=list)
    changes: List[Dict[str, Any]] = Field(default_factory=list)
    cumulative_reward: float = Field(default=0.0)
    last_feedback: str = Field(default="")
    terminated: bool = Field(default=False)
    truncated: bool = Field(default=False)
    info: Dict[str, Any] = Field(default_factory=dict)
    grade: Optional[Dict[str, Any]] = Field(
        default=None, description="The final grade, once the episode is over"
    )


class FiredrillState(State):
    """Everything about the episode (``firedrill.Env.state()``, the hidden
    ground truth once it is over) with OpenEnv's ``episode_id`` and
    ``step_count`` and the ``session_id``; before the first reset, only
    those."""

    session_id: str = Field(default="")
    scenario: Optional[str] = Field(default=None)
    task: Optional[str] = Field(default=None)
    seed: Optional[int] = Field(default=None)


class FiredrillEnvironment(Environment[FiredrillAction, FiredrillObservation, FiredrillState]):
    """The OpenEnv ``Environment``: one :class:`firedrill.Env`, one episode
    at a time. ``reset(seed=0, episode_id=None, task=None, scenario=None)``
    (neither task nor scenario: :data:`DEFAULT_TASK`). Errors raise the
    :mod:`firedrill.errors` exception of their kind and leave the
    environment usable.

    ``on_reset``, when given, is called with the environment before each
    reset does anything (the server registers the session there: it may
    refuse by raising)."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, on_reset: Optional[Callable[["FiredrillEnvironment"], None]] = None):
        super().__init__()
        self.env = Env()
        self.session_id = uuid.uuid4().hex
        #: Held for every call that reads and writes the episode.
        self.lock = threading.RLock()
        self.episode_id: Optional[str] = None
        self.seed: Optional[int] = None
        #: The finished episodes: ``[{episode_id, scenario, task, seed,
        #: score, passed, steps, cumulative_reward}]``, best first.
        self.finished: List[JSON] = []
        self._finished_count = 0
        self._on_reset = on_reset

    def reset(
        self,
        seed: Optional[int] = None,
        episode_id: Optional[str] = None,
        task: Optional[str] = None,
        scenario: Optional[str] = None,
        **unknown: Any,
    ) -> FiredrillObservation:
        if unknown:
            raise InvalidArgument(
                f"reset: unknown parameter {sorted(unknown)[0]!r}; expected {', '.join(RESET_PARAMETERS)}"
            )
        if episode_id is not None and (not isinstance(episode_id, str) or len(episode_id) > 255):
            raise InvalidArgument("reset: episode_id must be a str of at most 255 characters")
        with self.lock:
            if self._on_reset is not None:
                self._on_reset(self)
            if task is None and scenario is None:
                task = DEFAULT_TASK
            observation = self.env.reset(
                task=task, scenario=scenario, seed=0 if seed is None else seed
            )
            self.seed = 0 if seed is None else seed
            self.episode_id = episode_id or uuid.uuid4().hex
            return self._observation(observation, None)

    def step(
        self, action: FiredrillAction, timeout_s: Optional[float] = None, **kwargs: Any
    ) -> FiredrillObservation:
        with self.lock:
            core = action.core() if isinstance(action, FiredrillAction) else action
            step = self.env.step(core)
            return self._observation(
                step["observation"],
                step["reward"],
                terminated=step["terminated"],
                truncated=step["truncated"],
                info=step["info"],
            )

    @property
    def state(self) -> FiredrillState:
        with self.lock:
            if self.episode_id is None:
                return FiredrillState(session_id=self.session_id)
            core = self.env.state()
            fields = {k: v for k, v in core.items() if k not in ("episode_id", "step_count")}
            return FiredrillState(
                **fields,
                episode_id=self.episode_id,
                step_count=core["step"],
                session_id=self.session_id,
            )

    def get_metadata(self) -> EnvironmentMetadata:
        return EnvironmentMetadata(
            name="firedrill",
            description=(
                "Incident-response drills: a seeded simulation of microservices in an incident; "
                "investigate, classify, diagnose, remediate, communicate; graded."
            ),
            version=__version__,
            documentation_url="docs/python-server.md",
        )

    def leaderboard(self) -> List[JSON]:
        """The finished episodes ranked by score (then fewer steps, then
        the earlier), each with its ``rank`` from 1."""
        with self.lock:
            return [dict(_public(entry), rank=i + 1) for i, entry in enumerate(self.finished)]

    def _observation(
        self,
        observation: JSON,
        reward: Optional[float],
        terminated: bool = False,
        truncated: bool = False,
        info: Optional[JSON] = None,
    ) -> FiredrillObservation:
        fields = {k: v for k, v in observation.items() if k not in ("done", "reward")}
        grade = None
        if observation["done"]:
            grade = self.env.grade()
            self._record(grade, observation)
        return FiredrillObservation(
            **fields,
            done=observation["done"],
            reward=reward,
            terminated=terminated,
            truncated=truncated,
            info=info or {},
            grade=grade,
            session_id=self.session_id,
            episode_id=self.episode_id,
        )

    def _record(self, grade: JSON, observation: JSON) -> None:
        """Adds the finished episode to the leaderboard (kept sorted)."""
        self._finished_count += 1
        order = self._finished_count
        self.finished.append(
            {
                "episode_id": self.episode_id,
                "scenario": observation["scenario"],
                "task": observation["task"],
                "seed": self.seed,
                "score": grade["score"],
                "passed": grade["passed"],
                "steps": observation["step"],
                "cumulative_reward": observation["cumulative_reward"],
                "_order": order,
            }
        )
        self.finished.sort(key=lambda e: (-e["score"], e["steps"], e["_order"]))
        del self.finished[LEADERBOARD_SIZE:]


def _public(entry: JSON) -> JSON:
    return {k: v for k, v in entry.items() if not k.startswith("_")}


class FiredrillClient(EnvClient[FiredrillAction, FiredrillObservation, FiredrillState]):
    """The OpenEnv client of a Firedrill server: ``EnvClient`` over the
    WebSocket ``/ws`` (one session per connection). ``reset(task=...,
    scenario=..., seed=..., episode_id=...)``, ``step(FiredrillAction(...))``
    (or a dict), ``state()``; ``.sync()`` for the synchronous wrapper."""

    def _step_payload(self, action: FiredrillAction | JSON) -> Dict[str, Any]:
        if isinstance(action, FiredrillAction):
            return action.model_dump(exclude={"metadata"}, exclude_none=True)
        return dict(action)

    def _parse_result(self, payload: Dict[str, Any]) -> StepResult[FiredrillObservation]:
        observation = FiredrillObservation(
            **payload.get("observation", {}),
            done=payload.get("done", False),
            reward=payload.get("reward"),
        )
        return StepResult(
            observation=observation, reward=payload.get("reward"), done=payload.get("done", False)
        )

    def _parse_state(self, payload: Dict[str, Any]) -> FiredrillState:
        return FiredrillState(**payload)


__all__ = [
    "DEFAULT_TASK",
    "FiredrillAction",
    "FiredrillClient",
    "FiredrillEnvironment",
    "FiredrillObservation",
    "FiredrillState",
]
