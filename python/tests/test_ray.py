"""Evaluations: on Ray (a local instance, `ray.init(num_cpus=2)`, two
workers), in sequence (`firedrill.evaluate`) and natively (`firedrill
evaluate --json`), the same episodes give the same report, to the last
bit; a Python agent's too; and `python -m firedrill.evaluate --json`
prints it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ray = pytest.importorskip("ray")

import firedrill  # noqa: E402
import firedrill.ray  # noqa: E402
from conftest import cli_json  # noqa: E402


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module (its start takes seconds)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    # The workers cannot import this test module: ship its agents by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    ray.shutdown()


def first_alert_agent(observation: dict) -> dict:
    """A Python agent: investigates the first alerting service once, then
    classifies P2 and, where that does not end the episode, resolves."""
    alerting = [a["service"] for a in observation["alerts"] if a.get("service")]
    played = observation["played"]
    if observation["step"] == 0 and alerting:
        return {"action_type": "investigate", "target": alerting[0], "reasoning": "first alert"}
    if "classify" not in played:
        return {"action_type": "classify", "parameters": {"severity": "P2"}}
    return {"action_type": "resolve", "parameters": {"summary": "done"}, "reasoning": "enough"}


def test_ray_equals_sequential_equals_the_cli(local_ray, cli):
    ran = firedrill.ray.evaluate("heuristic", task="root_cause_analysis", seeds="1..3", num_workers=2)
    sequential = firedrill.evaluate("heuristic", task="root_cause_analysis", seeds="1..3")
    native = cli_json(cli, "evaluate", "--agent", "heuristic", "--task", "root_cause_analysis", "--seeds", "1..3")
    assert ran == sequential == native
    assert ran["episodes"] == 3 * len(ran["per_scenario"])


def test_a_python_agent_on_ray_equals_sequential(local_ray):
    scenarios = ["dns-failure-v1", "connection-pool-exhaustion-v1"]
    ran = firedrill.ray.evaluate(first_alert_agent, scenarios=scenarios, seeds=range(1, 4), num_workers=2)
    sequential = firedrill.evaluate(first_alert_agent, scenarios=scenarios, seeds="1..3")
    assert ran == sequential
    assert ran["agent"] == "first_alert_agent"
    assert [r["seed"] for r in ran["results"]] == [1, 2, 3, 1, 2, 3]


def test_a_python_agent_grades_as_its_actions_replayed(local_ray):
    env = firedrill.Env()
    observation = env.reset(scenario="dns-failure-v1", seed=2)
    actions = []
    while not observation["done"]:
        actions.append(first_alert_agent(observation))
        observation = env.step(actions[-1])["observation"]
    replayed = firedrill.run_episode(scenario="dns-failure-v1", seed=2, actions=actions)
    result = firedrill.evaluate(first_alert_agent, scenarios="dns-failure-v1", seeds=2)["results"][0]
    assert (result["score"], result["steps"]) == (replayed["score"], replayed["steps"])


def test_the_module_cli_prints_the_native_report(cli):
    arguments = ["--agent", "oracle", "--scenario", "dns-failure-v1,disk-full-v1", "--seeds", "1..4"]
    ran = subprocess.run(
        [sys.executable, "-m", "firedrill.evaluate", *arguments, "--workers", "2", "--json"],
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == cli_json(cli, "evaluate", *arguments)
    assert "episodes/s" in ran.stderr


@pytest.mark.parametrize("output", ["table", "csv"])
def test_the_module_cli_writes_the_native_table_and_csv(cli, output):
    from firedrill.evaluate.__main__ import csv, table

    arguments = ["evaluate", "--agent", "random", "--task", "severity_classification", "--seeds", "3..5"]
    native = subprocess.run(
        [str(cli), *arguments, *(["--csv"] if output == "csv" else [])],
        capture_output=True, text=True, check=True,
    ).stdout
    report = firedrill.evaluate("random", task="severity_classification", seeds="3..5")
    assert (csv if output == "csv" else table)(report) == native
