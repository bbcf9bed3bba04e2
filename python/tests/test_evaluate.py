"""`firedrill.evaluate` in sequence: its arguments, and each mistake's
exception and message (Ray's and the CLI's equality: test_ray.py)."""

from __future__ import annotations

import pytest

import firedrill
from firedrill.evaluate import parse_seeds, plan


@pytest.mark.parametrize(
    "seeds, expected",
    [("1..3", [1, 2, 3]), ("2..=4", [2, 3, 4]), ("7", [7]), (7, [7]), (range(3, 0, -1), [1, 2, 3]), ([5, 5, 2], [2, 5])],
)
def test_seeds(seeds, expected):
    assert parse_seeds(seeds) == expected


def test_the_plan_is_sorted_by_scenario_then_seed():
    episodes = plan(["disk-full-v1", "dns-failure-v1", "disk-full-v1"], "2..3")
    assert [(e["scenario"], e["seed"]) for e in episodes] == [
        ("disk-full-v1", 2), ("disk-full-v1", 3), ("dns-failure-v1", 2), ("dns-failure-v1", 3)
    ]


@pytest.mark.parametrize(
    "agent, options, says",
    [
        ("genius", dict(scenarios="dns-failure-v1", seeds=1), "unknown agent 'genius'"),
        (42, dict(scenarios="dns-failure-v1", seeds=1), "a baseline agent's name or a callable"),
        ("oracle", dict(scenarios="no-such-scenario", seeds=1), "unknown scenario 'no-such-scenario'"),
        ("oracle", dict(task="juggling", seeds=1), "task expects one of"),
        ("oracle", dict(seeds=1), "give scenarios=[ID, ...] or task=TASK"),
        ("oracle", dict(scenarios="dns-failure-v1"), "give seeds"),
        ("oracle", dict(scenarios="dns-failure-v1", seeds="5..2"), "seeds expects an inclusive range"),
        ("oracle", dict(scenarios="dns-failure-v1", seeds=[-1]), "unsigned ints"),
        ("oracle", dict(scenarios="dns-failure-v1", seeds=True), "seeds must be"),
    ],
)
def test_mistakes_raise_invalid_argument_saying_what(agent, options, says):
    with pytest.raises(firedrill.InvalidArgument, match="^evaluate: ") as raised:
        firedrill.evaluate(agent, **options)
    assert says in str(raised.value)


def test_a_refused_action_of_a_python_agent_raises_invalid_action():
    with pytest.raises(firedrill.InvalidAction):
        firedrill.evaluate(lambda observation: {"action_type": "dance"}, scenarios="dns-failure-v1", seeds=1)


def test_a_class_agent_gets_a_new_instance_each_episode():
    class Counting:
        made = 0

        def __init__(self) -> None:
            Counting.made += 1

        def __call__(self, observation: dict) -> dict:
            return {"action_type": "classify", "parameters": {"severity": "P2"}}

    report = firedrill.evaluate(Counting, task="severity_classification", seeds="1..2")
    assert (report["agent"], Counting.made) == ("Counting", report["episodes"])
