"""Firedrill as a Gymnasium environment for LLM agents: text in, text out.

>>> import gymnasium, firedrill
>>> env = gymnasium.make("firedrill/Firedrill-v0", task="severity_classification")
>>> observation, info = env.reset(seed=7)
>>> observation.startswith("#")
True
>>> action = '{"action_type": "classify", "parameters": {"severity": "P1"}}'
>>> observation, reward, terminated, truncated, info = env.step(action)
>>> terminated, 0.0 <= info["grade"]["score"] <= 1.0
(True, True)

:class:`FiredrillEnv` (registered as ``firedrill/Firedrill-v0`` as soon as
both ``firedrill`` and ``gymnasium`` are imported, in either order) plays
the episodes of :class:`firedrill.Env`:

- observation: text (``gymnasium.spaces.Text``), the markdown incident
  dashboard (``observation_format="markdown"``, the default: what
  ``Env.render()`` returns) or the observation's JSON
  (``observation_format="json"``, ASCII-only with ``\\u`` escapes);
- action: text, the JSON of an action ``{action_type, target, parameters,
  reasoning}`` (a dict is accepted too);
- reward: the core's shaped step reward; ``terminated`` and ``truncated``
  as the core says (the step budget truncates);
- ``reset(seed=N)`` plays seed ``N`` of the core (the same episode as
  ``firedrill run --seed N``); ``reset()`` without a seed draws one from
  the environment's generator; ``options={"scenario": ID}`` or
  ``{"task": TASK}`` changes what the next episodes play;
- ``info``: ``observation`` (the dict), ``scenario``, ``seed``,
  ``reward_parts``, the step's ``action_type``, ``feedback`` and
  ``status``; at the end, ``grade`` (``Env.grade()``);
- ``render_mode="ansi"``: ``render()`` returns the markdown dashboard.

An action that is not valid JSON, or that the scenario refuses (an
unknown service, a missing parameter), does not raise: as an LLM
environment should, it answers with ``INVALID_ACTION_REWARD``, the
observation unchanged, ``info["error"] = {"kind", "message"}`` (the
exception's kind and message, which say what was expected) and no step
used. After ``max_invalid_actions`` of them in one episode (default 25)
the episode is truncated. Text outside :data:`CHARSET` (a loaded
scenario's, say) is shown as ``?`` in the markdown observation; the JSON
observation keeps everything (escaped). An observation longer than
:data:`OBSERVATION_MAX_LENGTH` characters (never seen in the built-in
scenarios: the largest is about a third of it) is cut, with a marker.
"""

from __future__ import annotations

import copy
import json
import string
from typing import Any

import gymnasium
from gymnasium import spaces

from .env import JSON, Env
from .errors import FiredrillError, InvalidAction, InvalidArgument

#: The id it is registered under.
ENV_ID = "firedrill/Firedrill-v0"
#: The characters of observations and actions: printable ASCII, newline and
#: tab, and the few others the built-in scenarios and renders use.
CHARSET: str = string.printable.replace("\r", "").replace("\x0b", "").replace("\x0c", "") + (
    "£×ã—“”…→−–‘’°µ·≤≥é✕"
)
#: The longest observation, in characters.
OBSERVATION_MAX_LENGTH = 131_072
#: The longest action, in characters.
ACTION_MAX_LENGTH = 8_192
#: The reward of an action that is not valid JSON or that the scenario refuses.
INVALID_ACTION_REWARD = -0.1
#: What an action looks like, for the messages of invalid ones.
EXPECTED = '{"action_type": ..., "target": ..., "parameters": {...}, "reasoning": ...}'
#: The marker that ends an observation cut at OBSERVATION_MAX_LENGTH.
CUT_MARKER = "\n[… cut]"

_CHARS = frozenset(CHARSET)


def _fit(text: str) -> str:
    """``text`` within the observation space: characters outside the
    charset as ``?``, cut at the longest length."""
    if not _CHARS.issuperset(text):
        text = "".join(c if c in _CHARS else "?" for c in text)
    if len(text) > OBSERVATION_MAX_LENGTH:
        text = text[: OBSERVATION_MAX_LENGTH - len(CUT_MARKER)] + CUT_MARKER
    return text


class FiredrillEnv(gymnasium.Env):
    """Firedrill's episodes with text observations and JSON actions (see
    the module docs). ``task`` (default ``full_incident_management``) or
    ``scenario`` says what to play; each reset's seed picks the task's
    scenario."""

    metadata = {"render_modes": ["ansi"], "render_fps": 1}

    def __init__(
        self,
        task: str | None = None,
        scenario: str | None = None,
        observation_format: str = "markdown",
        render_mode: str | None = None,
        max_invalid_actions: int = 25,
    ) -> None:
        if observation_format not in ("markdown", "json"):
            raise InvalidArgument(
                f"FiredrillEnv: observation_format must be 'markdown' or 'json', got {observation_format!r}"
            )
        if render_mode not in (None, *self.metadata["render_modes"]):
            raise InvalidArgument(f"FiredrillEnv: render_mode must be None or 'ansi', got {render_mode!r}")
        if task is not None and scenario is not None:
            raise InvalidArgument("FiredrillEnv: give task or scenario, not both")
        self.selection = {"scenario": scenario} if scenario else {"task": task or "full_incident_management"}
        self.observation_format = observation_format
        self.render_mode = render_mode
        self.max_invalid_actions = max_invalid_actions
        self.observation_space = spaces.Text(max_length=OBSERVATION_MAX_LENGTH, charset=CHARSET)
        self.action_space = spaces.Text(max_length=ACTION_MAX_LENGTH, charset=CHARSET)
        self.env = Env()
        self.seed_played: int | None = None
        self.invalid_actions = 0
        self.observation_dict: JSON | None = None

    def _text(self, observation: JSON) -> str:
        if self.observation_format == "json":
            return _fit(json.dumps(observation, ensure_ascii=True, sort_keys=True))
        return _fit(self.env.render())

    def _info(self, observation: JSON, **more: Any) -> dict[str, Any]:
        info = {"observation": observation, **self.selection, "seed": self.seed_played, **more}
        info["scenario"] = observation.get("scenario", info.get("scenario"))
        if observation["done"] or more.get("truncated_by_invalid_actions"):
            info["grade"] = self.env.grade()
        return info

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any]]:
        """Starts an episode: seed ``seed`` of the core, or one drawn from
        the environment's generator. ``options`` may name the ``task`` or
        ``scenario`` to play from now on."""
        super().reset(seed=seed)
        if options:
            unknown = set(options) - {"task", "scenario"}
            if unknown or ("task" in options and "scenario" in options):
                raise InvalidArgument(
                    f"FiredrillEnv.reset: options may hold task or scenario, got {sorted(options)}"
                )
            self.selection = dict(options)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31))
        self.seed_played = seed
        self.invalid_actions = 0
        observation = self.env.reset(seed=seed, **self.selection)
        self.observation_dict = observation
        return self._text(observation), self._info(observation)

    def step(self, action: str | JSON) -> tuple[str, float, bool, bool, dict[str, Any]]:
        """Plays the action (its JSON text, or a dict). An invalid one is
        answered with ``INVALID_ACTION_REWARD`` and ``info["error"]``
        (see the module docs)."""
        if self.observation_dict is None:
            self.env.observation()  # raises ResetNeeded
        if isinstance(action, str):
            try:
                action = json.loads(action)
            except ValueError as error:
                message = f"step: the action is not JSON ({error}); expected {EXPECTED}"
                return self._invalid(InvalidAction(message))
        if not isinstance(action, dict):
            kind = type(action).__name__
            message = f"step: the action must be a JSON object, got {kind}; expected {EXPECTED}"
            return self._invalid(InvalidAction(message))
        try:
            step = self.env.step(action)
        except (InvalidAction, InvalidArgument) as error:
            return self._invalid(error)
        observation = step["observation"]
        self.observation_dict = observation
        reward = float(step["reward"])
        info = self._info(
            observation,
            reward_parts={"step": reward, "invalid_action": 0.0},
            **step["info"],
        )
        return self._text(observation), reward, bool(step["terminated"]), bool(step["truncated"]), info

    def _invalid(self, error: FiredrillError) -> tuple[str, float, bool, bool, dict[str, Any]]:
        self.invalid_actions += 1
        # A copy: what a step returns is the caller's to keep and change.
        observation = copy.deepcopy(self.observation_dict)
        assert observation is not None
        truncated = self.invalid_actions >= self.max_invalid_actions
        info = self._info(
            observation,
            reward_parts={"step": 0.0, "invalid_action": INVALID_ACTION_REWARD},
            error={"kind": error.kind, "message": str(error)},
            invalid_actions=self.invalid_actions,
            truncated_by_invalid_actions=truncated,
        )
        return self._text(observation), INVALID_ACTION_REWARD, False, truncated, info

    def render(self) -> str | None:
        """The markdown dashboard (``render_mode="ansi"``), else None."""
        if self.render_mode == "ansi":
            return _fit(self.env.render())
        return None


def register() -> None:
    """Registers ``firedrill/Firedrill-v0`` with gymnasium (once)."""
    if ENV_ID not in gymnasium.registry:
        gymnasium.register(id=ENV_ID, entry_point="firedrill.gym:FiredrillEnv")


register()

__all__ = [
    "ACTION_MAX_LENGTH",
    "CHARSET",
    "ENV_ID",
    "INVALID_ACTION_REWARD",
    "OBSERVATION_MAX_LENGTH",
    "FiredrillEnv",
    "register",
]
