"""The environment contract: :class:`Env` with ``reset``, ``step``, ``state``
and ``grade``, PromQL queries over the episode's metrics, and its renders
and exports.

Values in and out are plain Python values with the field names of the
native JSON (``firedrill run --json``, the JavaScript API): an observation,
a step ``{observation, reward, terminated, truncated, info}``, a state and
a grade ``{score, dimensions, ...}`` are dicts; an action is a dict
``{action_type, target, parameters, reasoning}`` or its JSON text.

The core steps with the GIL released, so environments in several threads
play in parallel; one ``Env`` shared by threads serves one call at a time.

>>> from firedrill import Env
>>> env = Env()
>>> observation = env.reset(task="severity_classification", seed=7)
>>> observation["step"], observation["done"]
(0, False)
>>> step = env.step({"action_type": "classify", "parameters": {"severity": "P1"}})
>>> step["terminated"]
True
>>> 0.0 <= env.grade()["score"] <= 1.0
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Union

from . import _core

#: An observation, a step, a state, a grade, a query's answer: JSON as dicts.
JSON = dict[str, Any]
#: An action: ``{action_type, target, parameters, reasoning}`` or its JSON text.
ActionLike = Union[Mapping[str, Any], str]


def _action(action: ActionLike) -> Any:
    """The action as the native module reads it: a dict or JSON text."""
    if isinstance(action, Mapping) and not isinstance(action, dict):
        return dict(action)
    return action


class Env:
    """An environment over the built-in scenarios, one episode at a time.

    Errors raise the :mod:`firedrill.errors` exception of their kind
    (``ResetNeeded``, ``EpisodeOver``, ``InvalidAction``, …); after any
    error the environment keeps working.
    """

    __slots__ = ("_core",)

    def __init__(self) -> None:
        self._core = _core.Env()

    def reset(
        self,
        task: str | None = None,
        scenario: str | None = None,
        seed: int = 0,
    ) -> JSON:
        """Starts an episode and returns its first observation.

        Give ``scenario`` (an id of :func:`firedrill.scenarios`) or ``task``
        (``severity_classification``, ``root_cause_analysis``,
        ``full_incident_management``: the seed picks one of its scenarios).
        The seed, an integer from 0 to 2**53 - 1, fixes everything random:
        the same scenario, seed and actions give the same trajectory here,
        in the CLI and in the browser.
        """
        return json.loads(self._core.reset(task, scenario, seed))

    def step(self, action: ActionLike) -> JSON:
        """Plays one action; returns ``{observation, reward, terminated,
        truncated, info}``. An invalid action raises ``InvalidAction`` and
        uses no step."""
        return json.loads(self._core.step(_action(action)))

    def step_lean(self, action: ActionLike) -> JSON:
        """Plays one action as :meth:`step` does and returns ``{reward,
        terminated, truncated, info}`` without the observation
        (:meth:`observation` gives it on request): for agents that do not
        read every observation."""
        return json.loads(self._core.step_lean(_action(action)))

    def run_episode(
        self,
        agent: str | None = None,
        *,
        scenario: str | None = None,
        task: str | None = None,
        seed: int = 0,
        actions: Sequence[ActionLike] | str | None = None,
    ) -> JSON:
        """Plays a whole episode in one call, with the GIL released: the
        baseline agent ``agent`` (``random``, ``heuristic`` or ``oracle``;
        default ``heuristic``) or a list of ``actions`` (played in order
        until the list runs out or the episode ends). Returns the summary
        ``firedrill run --json`` prints: scenario, task, seed, steps, score,
        final, status, dimensions, the actions played, … The episode stays
        here afterwards (:meth:`state`, :meth:`render`, :meth:`export`).

        An action of the list that the environment refuses raises its
        error, naming the action's index. Reusing one ``Env`` for many
        episodes is faster than a new one each time (what each scenario's
        episodes share is computed once per environment).
        """
        listed: Any = actions
        if actions is not None and not isinstance(actions, str):
            listed = [_action(a) for a in actions]
        return json.loads(
            self._core.run_episode(agent, scenario=scenario, task=task, seed=seed, actions=listed)
        )

    def state(self) -> JSON:
        """Everything about the episode: the history, and the hidden ground
        truth once it is over (not before)."""
        return json.loads(self._core.state())

    def observation(self) -> JSON:
        """The current observation, without acting."""
        return json.loads(self._core.observation())

    def grade(self) -> JSON:
        """The grade of the episode so far (``final`` once it is over):
        ``{score, dimensions: [{name, weight, score, explanation}], ...}``."""
        return json.loads(self._core.grade())

    def query(self, expr: str, time: float | None = None) -> JSON:
        """An instant PromQL query at ``time`` (simulated Unix seconds;
        default: the newest sample), answered as the Prometheus HTTP API's
        JSON: ``{status: "success", data: {resultType, result}}``, or
        ``{status: "error", errorType, error}`` for an expression that does
        not parse or evaluate. Costs no step."""
        return json.loads(self._core.query(expr, time))

    def query_range(self, expr: str, start: float, end: float, step: float) -> JSON:
        """A range PromQL query from ``start`` to ``end`` (simulated Unix
        seconds) every ``step`` seconds, answered as the Prometheus HTTP
        API's JSON (``resultType: "matrix"``). Start after end, a step that
        is not positive or more than 11,000 points per series raise
        ``QueryError``."""
        return json.loads(self._core.query_range(expr, start, end, step))

    def series(
        self, matches: Sequence[str], start: float | None = None, end: float | None = None
    ) -> JSON:
        """The series that any of the selectors ``matches`` (``up``,
        ``{service="orders-db"}``) selects with a sample from ``start`` to
        ``end`` (simulated Unix seconds; default: the whole episode),
        answered as the Prometheus HTTP API's ``/api/v1/series`` JSON:
        ``{status: "success", data: [{label: value, ...}]}``, or its error
        object for a selector that does not parse. Costs no step."""
        listed = [matches] if isinstance(matches, str) else list(matches)
        return json.loads(self._core.series(listed, start, end))

    def render(self) -> str:
        """The markdown incident dashboard of the episode (text an LLM can read)."""
        return self._core.render()

    def exposition(self) -> str:
        """The current metrics in the Prometheus text exposition format 0.0.4."""
        return self._core.exposition()

    def telemetry(self) -> str:
        """This environment's own counters (episodes, steps, resets by task,
        actions by type, errors, grades) in the exposition format; works
        before any reset."""
        return self._core.telemetry()

    def export(self, kind: str) -> str:
        """One export of the episode: ``openmetrics``, ``exposition``,
        ``rules``, ``grafana``, ``csv``, ``otlp-logs``, ``grafana-slo``,
        ``grafana-service``, ``telemetry`` or ``otlp-traces`` (the text
        ``firedrill export`` prints)."""
        return self._core.export(kind)

    def traces(self, service: str | None = None, limit: int | None = None) -> list[JSON]:
        """The most recent simulated request traces, newest step first: at
        most ``limit`` (default 5, at most 500), only those through
        ``service`` when it is given."""
        return json.loads(self._core.traces(service, limit))

    def load_scenario(self, text: str, file_name: str | None = None) -> str:
        """Adds a scenario from the text of a scenario file (TOML),
        replacing one with the same id; returns its id. A file that does not
        load raises ``ScenarioError`` naming each problem's line and column."""
        return self._core.load_scenario(text, file_name)

    def scenarios(self) -> list[JSON]:
        """The scenarios this environment can play (built-in and loaded)."""
        return json.loads(self._core.scenarios())
