"""Errors from Python: each kind of error raises its own exception class,
whose message names the call, says what was wrong and what was expected;
the environment keeps working afterwards."""

from __future__ import annotations

import pickle
import re
from dataclasses import dataclass
from typing import Any, Callable

import pytest

import firedrill
from firedrill import _core, errors
from conftest import POOL

INVESTIGATE = {"action_type": "investigate", "target": "orders-db"}


@dataclass
class Case:
    """A call on an environment in an episode of POOL (or a fresh one)."""

    name: str
    call: Callable[[firedrill.Env], Any]
    raises: type[firedrill.FiredrillError]
    message: str  # a regular expression the message matches from its start
    fresh: bool = False  # on an environment with no episode yet


CASES = [
    # Calls before the first reset.
    Case("step before reset", lambda e: e.step(INVESTIGATE), firedrill.ResetNeeded,
         r"step: reset needed: call reset before step", fresh=True),
    Case("step_lean before reset", lambda e: e.step_lean(INVESTIGATE), firedrill.ResetNeeded,
         r"step_lean: reset needed", fresh=True),
    Case("state before reset", lambda e: e.state(), firedrill.ResetNeeded, r"state: reset needed", fresh=True),
    Case("grade before reset", lambda e: e.grade(), firedrill.ResetNeeded, r"grade: reset needed", fresh=True),
    Case("render before reset", lambda e: e.render(), firedrill.ResetNeeded, r"render: reset needed", fresh=True),
    Case("observation before reset", lambda e: e.observation(), firedrill.ResetNeeded,
         r"observation: reset needed", fresh=True),
    Case("query before reset", lambda e: e.query("up"), firedrill.ResetNeeded, r"query: reset needed", fresh=True),
    Case("query_range before reset", lambda e: e.query_range("up", 0, 60, 30), firedrill.ResetNeeded,
         r"query_range: reset needed", fresh=True),
    Case("traces before reset", lambda e: e.traces(), firedrill.ResetNeeded, r"traces: reset needed", fresh=True),
    Case("an agent before reset", lambda e: firedrill.Agent("heuristic").act(e), firedrill.ResetNeeded,
         r"act: reset needed", fresh=True),
    # Unknown names.
    Case("unknown task", lambda e: e.reset(task="juggling"), firedrill.UnknownTask,
         r'reset: unknown task "juggling"; expected one of severity_classification'),
    Case("unknown scenario", lambda e: e.reset(scenario="nope-v9"), firedrill.UnknownScenario,
         r'reset: unknown scenario "nope-v9"'),
    Case("unknown agent", lambda e: firedrill.Agent("genius"), firedrill.InvalidArgument,
         r'Agent: unknown agent "genius"; expected random, heuristic, oracle'),
    Case("unknown export kind", lambda e: e.export("pdf"), firedrill.InvalidArgument, r"export: .*pdf"),
    # Invalid actions: well formed, but not for this scenario.
    Case("unknown action type", lambda e: e.step({"action_type": "dance"}), firedrill.InvalidAction,
         r"step: invalid action: action_type: "),
    Case("unknown service", lambda e: e.step({"action_type": "investigate", "target": "mainframe"}),
         firedrill.InvalidAction, r"step: invalid action: target: "),
    Case("missing severity", lambda e: e.step({"action_type": "classify"}), firedrill.InvalidAction,
         r"step: invalid action: parameters.severity: "),
    Case("unknown severity", lambda e: e.step({"action_type": "classify", "parameters": {"severity": "P9"}}),
         firedrill.InvalidAction, r"step: invalid action: parameters.severity: "),
    # Values of the wrong shape.
    Case("action of the wrong type", lambda e: e.step(42), firedrill.InvalidArgument,
         r"step: action must be a dict \{action_type, target, parameters, reasoning\} or its JSON text, got int"),
    Case("action with an unknown field", lambda e: e.step({"action_type": "investigate", "service": "x"}),
         firedrill.InvalidArgument, r'step: action has an unknown field "service"; expected action_type, target'),
    Case("action without a type", lambda e: e.step({"target": "orders-db"}), firedrill.InvalidArgument,
         r'step: action\["action_type"\] is required: one of investigate, classify'),
    Case("target of the wrong type", lambda e: e.step({"action_type": "investigate", "target": 7}),
         firedrill.InvalidArgument, r'step: action\["target"\] must be a str, got int'),
    Case("parameters of the wrong type", lambda e: e.step({"action_type": "classify", "parameters": ["P1"]}),
         firedrill.InvalidArgument, r'step: action\["parameters"\] must be a dict of str, got list'),
    Case("a parameter of the wrong type",
         lambda e: e.step({"action_type": "classify", "parameters": {"severity": 1}}),
         firedrill.InvalidArgument, r'step: action\["parameters"\]\["severity"\] must be a str, got int'),
    Case("too many parameters",
         lambda e: e.step({"action_type": "classify", "parameters": {str(i): "x" for i in range(17)}}),
         firedrill.InvalidArgument, r'step: action\["parameters"\] has 17 entries; at most 16'),
    Case("action text that is not JSON", lambda e: e.step("{investigate"), firedrill.InvalidArgument,
         r"step: action is not the JSON text of an action"),
    Case("action text with an unknown field", lambda e: e.step('{"action_type": "hint", "x": 1}'),
         firedrill.InvalidArgument, r"step: action is not the JSON text of an action .*unknown field `x`"),
    Case("lean step of the wrong type", lambda e: e.step_lean([]), firedrill.InvalidArgument,
         r"step_lean: action must be a dict"),
    Case("neither scenario nor task", lambda e: e.reset(), firedrill.InvalidArgument,
         r"reset: give scenario=ID or task=ID, and a seed"),
    Case("scenario and task", lambda e: e.reset(task="root_cause_analysis", scenario=POOL),
         firedrill.InvalidArgument, r"reset: give scenario or task, not both"),
    Case("negative seed", lambda e: e.reset(scenario=POOL, seed=-1), firedrill.InvalidArgument,
         r"reset: seed must be an integer from 0 to 9007199254740991, got -1"),
    Case("seed over 2**53 - 1", lambda e: e.reset(scenario=POOL, seed=2**53), firedrill.InvalidArgument,
         r"reset: seed must be an integer from 0 to 9007199254740991, got 9007199254740992"),
    Case("seed of the wrong type", lambda e: e.reset(scenario=POOL, seed="7"), firedrill.InvalidArgument,
         r"reset: seed must be an integer .*, got str"),
    Case("a bool is no seed", lambda e: e.reset(scenario=POOL, seed=True), firedrill.InvalidArgument,
         r"reset: seed must be an integer .*, got bool"),
    Case("a float is no seed", lambda e: e.reset(scenario=POOL, seed=1.0), firedrill.InvalidArgument,
         r"reset: seed must be an integer .*, got float"),
    Case("scenario of the wrong type", lambda e: e.reset(scenario=["x"]), firedrill.InvalidArgument,
         r"reset: scenario must be a str, got list"),
    Case("expression of the wrong type", lambda e: e.query(42), firedrill.InvalidArgument,
         r"query: the expression must be a str, got int"),
    Case("missing expression", lambda e: e.query(None), firedrill.InvalidArgument,
         r"query: the expression \(a PromQL str\) is required"),
    Case("time of the wrong type", lambda e: e.query("up", "now"), firedrill.InvalidArgument,
         r"query: time must be a number of seconds \(int or float\), got str"),
    Case("time out of range", lambda e: e.query("up", float("inf")), firedrill.InvalidArgument,
         r"query: time must be a finite number of seconds"),
    Case("missing step", lambda e: e.query_range("up", 0, 60, None), firedrill.InvalidArgument,
         r"query_range: step \(simulated Unix seconds\) is required"),
    Case("trace limit out of range", lambda e: e.traces(limit=0), firedrill.InvalidArgument,
         r"traces: limit must be an integer from 1 to 500, got 0"),
    Case("trace of an unknown service", lambda e: e.traces("mainframe"), firedrill.InvalidArgument,
         r'traces: service "mainframe" is not in the scenario; expected one of'),
    Case("an agent acting on no Env", lambda e: firedrill.Agent("oracle").act(object()),
         firedrill.InvalidArgument, r"act: env must be a firedrill.Env, got object"),
    Case("run_episode with agent and actions", lambda e: firedrill.run_episode("oracle", scenario=POOL, actions=[]),
         firedrill.InvalidArgument, r"run_episode: give agent or actions, not both"),
    Case("run_episode with a refused action",
         lambda e: firedrill.run_episode(scenario=POOL, actions=[INVESTIGATE, {"action_type": "dance"}]),
         firedrill.InvalidAction, r"run_episode: action 2 \(index 1\): invalid action: action_type"),
    Case("run_episode with an action of the wrong shape",
         lambda e: firedrill.run_episode(scenario=POOL, actions=[INVESTIGATE, 3]),
         firedrill.InvalidArgument, r"run_episode: actions\[1\] must be a dict"),
    # Range queries.
    Case("start after end", lambda e: e.query_range("up", 600, 0, 30), firedrill.QueryError, r"query_range: "),
    Case("a step that is not positive", lambda e: e.query_range("up", 0, 600, 0), firedrill.QueryError,
         r"query_range: "),
    Case("too many points", lambda e: e.query_range("up", 0, 100_000, 1), firedrill.QueryError,
         r"query_range: exceeded maximum resolution of 11,000 points"),
    # Scenario files.
    Case("a scenario file that does not load", lambda e: e.load_scenario("id = 3\n", "mine.toml"),
         firedrill.ScenarioError, r"load_scenario: the scenario is not valid:\nmine.toml:1:"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_error_raises_the_class_of_its_kind(case: Case):
    env = firedrill.Env()
    if not case.fresh:
        env.reset(scenario=POOL, seed=42)
    with pytest.raises(case.raises) as raised:
        case.call(env)
    assert type(raised.value) is case.raises
    assert raised.value.kind == case.raises.kind
    assert raised.value.message == str(raised.value)
    assert re.match(case.message, str(raised.value)), str(raised.value)
    assert len(str(raised.value)) < 2000


def test_the_environment_keeps_working_after_each_error():
    env = firedrill.Env()
    env.reset(scenario=POOL, seed=42)
    for case in CASES:
        if case.fresh:
            continue
        before = env.state()
        with pytest.raises(firedrill.FiredrillError):
            case.call(env)
        assert env.state() == before, case.name  # a refused call (or reset) changes nothing
    step = env.step(INVESTIGATE)
    assert step["observation"]["step"] == 1


def test_a_step_after_the_end_says_episode_over(pool):
    agent = firedrill.Agent("oracle")
    while not pool.observation()["done"]:
        pool.step(agent.act(pool))
    with pytest.raises(firedrill.EpisodeOver, match="^step: episode over: it terminated or ran out"):
        pool.step(INVESTIGATE)
    with pytest.raises(firedrill.EpisodeOver, match="^act: episode over"):
        agent.act(pool)
    grade = pool.grade()  # the finished episode is still there
    assert grade["final_grade"] is True
    assert pool.reset(scenario=POOL, seed=1)["step"] == 0


def test_a_long_id_is_clipped_in_the_message_and_a_huge_one_refused():
    with pytest.raises(firedrill.UnknownScenario) as raised:
        firedrill.Env().reset(scenario="x" * 150)
    assert re.search('"x{20,80}…"', str(raised.value)), str(raised.value)
    with pytest.raises(firedrill.InvalidArgument) as raised:
        firedrill.Env().reset(scenario="x" * 100_000)
    assert str(raised.value) == "reset: scenario is 100000 characters long; at most 200 are accepted"


def test_every_kind_of_the_core_has_its_class():
    assert set(_core.ERROR_KINDS) == set(errors.BY_KIND)
    for kind, cls in errors.BY_KIND.items():
        assert issubclass(cls, firedrill.FiredrillError)
        assert cls.kind == kind
        assert getattr(firedrill, cls.__name__) is cls


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (firedrill.ResetNeeded, RuntimeError),
        (firedrill.EpisodeOver, RuntimeError),
        (firedrill.UnknownTask, LookupError),
        (firedrill.UnknownScenario, LookupError),
        (firedrill.InvalidAction, ValueError),
        (firedrill.InvalidArgument, ValueError),
        (firedrill.QueryError, ValueError),
        (firedrill.ScenarioError, ValueError),
        (firedrill.InternalError, RuntimeError),
    ],
)
def test_each_class_is_also_the_builtin_a_caller_expects(cls, builtin):
    assert issubclass(cls, builtin)


def test_errors_survive_pickling_with_their_class_and_message(env):
    with pytest.raises(firedrill.ResetNeeded) as raised:
        env.step(INVESTIGATE)
    again = pickle.loads(pickle.dumps(raised.value))
    assert type(again) is firedrill.ResetNeeded
    assert str(again) == str(raised.value)
