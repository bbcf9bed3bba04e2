"""The exceptions of firedrill: one class per kind of error.

Every error the package raises is a :class:`FiredrillError`; its class says
the kind, and its ``kind`` attribute is the kind's stable name, the same
``kind`` the JavaScript API's errors carry. The message says which call,
what was wrong and what was expected. None of them ends the environment:
after any error the same ``Env`` keeps working.

=====================  ===================  ===================================================
class                  kind                 when
=====================  ===================  ===================================================
``ResetNeeded``        ``reset_needed``     a call that needs an episode before the first reset
``EpisodeOver``        ``episode_over``     a step (or an agent's act) after the episode ended
``UnknownTask``        ``unknown_task``     a task id that does not exist
``UnknownScenario``    ``unknown_scenario`` a scenario id that does not exist
``InvalidAction``      ``invalid_action``   a well-formed action that does not fit the scenario
``InvalidArgument``    ``invalid_argument`` a value of the wrong type or shape: a missing or
                                            unknown field, a number out of range, a string too
                                            long, an unknown export kind or agent
``QueryError``         ``query``            a range query's parameters: start after end, a step
                                            that is not positive, too many points
``ScenarioError``      ``scenario``         a scenario file that does not load
``InternalError``      ``internal``         the drill could not do it (a bug)
=====================  ===================  ===================================================

Each also derives from the built-in exception a Python caller would expect
(``ValueError`` for a wrong value, ``LookupError`` for an unknown id,
``RuntimeError`` for a call at the wrong time).

A PromQL expression that does not parse or evaluate raises nothing: the
answer is Prometheus' own error object (``status: "error"``), as from the
Prometheus HTTP API.
"""

from __future__ import annotations


class FiredrillError(Exception):
    """An error of the drill; its subclass says the kind."""

    #: The kind's stable name (``reset_needed``, ``invalid_action``, …).
    kind: str = ""

    @property
    def message(self) -> str:
        """What was wrong and what was expected."""
        return str(self)


class ResetNeeded(FiredrillError, RuntimeError):
    """A call that needs an episode before the first ``reset``."""

    kind = "reset_needed"


class EpisodeOver(FiredrillError, RuntimeError):
    """A step (or an agent's act) after the episode terminated or was truncated."""

    kind = "episode_over"


class UnknownTask(FiredrillError, LookupError):
    """A task id that does not exist."""

    kind = "unknown_task"


class UnknownScenario(FiredrillError, LookupError):
    """A scenario id that does not exist (or a task with no scenarios)."""

    kind = "unknown_scenario"


class InvalidAction(FiredrillError, ValueError):
    """A well-formed action that does not fit the scenario: which field, and why.

    It uses no step.
    """

    kind = "invalid_action"


class InvalidArgument(FiredrillError, ValueError):
    """A value of the wrong type or shape given to a call."""

    kind = "invalid_argument"


class QueryError(FiredrillError, ValueError):
    """A range query's parameters are wrong."""

    kind = "query"


class ScenarioError(FiredrillError, ValueError):
    """A scenario file that does not load; the message names each problem's line and column."""

    kind = "scenario"


class InternalError(FiredrillError, RuntimeError):
    """The drill could not do what was asked, through no fault of the caller."""

    kind = "internal"


#: Each class by its kind's name (how the native module raises them).
BY_KIND: dict[str, type[FiredrillError]] = {
    cls.kind: cls
    for cls in (
        ResetNeeded,
        EpisodeOver,
        UnknownTask,
        UnknownScenario,
        InvalidAction,
        InvalidArgument,
        QueryError,
        ScenarioError,
        InternalError,
    )
}

__all__ = [
    "FiredrillError",
    "ResetNeeded",
    "EpisodeOver",
    "UnknownTask",
    "UnknownScenario",
    "InvalidAction",
    "InvalidArgument",
    "QueryError",
    "ScenarioError",
    "InternalError",
    "BY_KIND",
]
