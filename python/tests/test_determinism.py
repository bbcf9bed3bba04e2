"""The same scenario, seed and actions give the same trajectory and score
from Python as from the native CLI and in the browser.

- the CLI: `firedrill run --json` of every built-in scenario (heuristic,
  and random for some) is what `run_episode` returns, what the same agent
  plays step by step through `Env`, and what its actions replayed through
  `Env.step` grade to;
- the browser: the trajectory digests of `tests/golden/`, which the
  native suite and the wasm suite (`tests/web.rs`, in Chromium) both
  check, come out the same from the JSON the Python boundary hands back;
- the golden episode of `tests/golden/` (dns-failure-v1, seed 7, its
  actions.json) renders, grades and exports byte for byte the same.
"""

from __future__ import annotations

import json

import pytest

import firedrill
from firedrill import _core
from conftest import FIXTURES, GOLDEN, POOL, cli_json

SCENARIOS = [s["id"] for s in firedrill.scenarios()]


def played_through_env(scenario: str, seed: int, agent_name: str) -> tuple[list[dict], dict, dict]:
    """The agent's actions, the grade and the state of an episode played
    step by step through `Env`."""
    env = firedrill.Env()
    agent = firedrill.Agent(agent_name, seed)
    observation = env.reset(scenario=scenario, seed=seed)
    actions = []
    while not observation["done"]:
        actions.append(agent.act(env))
        observation = env.step(actions[-1])["observation"]
    return actions, env.grade(), env.state()


def replayed_through_env(scenario: str, seed: int, actions: list[dict]) -> dict:
    """The grade of `actions` played through `Env.step`."""
    env = firedrill.Env()
    env.reset(scenario=scenario, seed=seed)
    for action in actions:
        step = env.step(action)
        if step["terminated"] or step["truncated"]:
            break
    return env.grade()


@pytest.fixture(scope="module")
def cli_runs(cli) -> dict[tuple[str, str, int], dict]:
    """`firedrill run --json` of every built-in scenario with the heuristic
    agent, and of every fifth with the random agent, at seeds from 1."""
    runs = {}
    for index, scenario in enumerate(SCENARIOS):
        plays = [("heuristic", 1 + index)]
        if index % 5 == 0:
            plays.append(("random", 100 + index))
        for agent, seed in plays:
            runs[(scenario, agent, seed)] = cli_json(
                cli, "run", "--scenario", scenario, "--seed", str(seed), "--agent", agent
            )
    return runs


def test_the_cli_and_python_play_every_scenario_the_same(cli_runs):
    assert len(cli_runs) > len(SCENARIOS)
    reused = firedrill.Env()
    for (scenario, agent, seed), run in cli_runs.items():
        where = f"{scenario} seed {seed} {agent}"
        assert firedrill.run_episode(agent, scenario=scenario, seed=seed) == run, where
        assert reused.run_episode(agent, scenario=scenario, seed=seed) == run, where
        actions, grade, state = played_through_env(scenario, seed, agent)
        assert actions == run["actions"], where
        assert grade["score"] == run["score"], where
        assert grade["dimensions"] == run["dimensions"], where
        assert (state["step"], state["status"], state["cumulative_reward"]) == (
            run["steps"],
            run["status"],
            run["cumulative_reward"],
        ), where
        replayed = replayed_through_env(scenario, seed, run["actions"])
        assert (replayed["score"], replayed["dimensions"]) == (run["score"], run["dimensions"]), where


def test_the_cli_and_python_list_the_same_catalogs(cli):
    assert firedrill.scenarios() == cli_json(cli, "list")
    assert firedrill.causes() == cli_json(cli, "causes")
    assert firedrill.curriculum() == cli_json(cli, "curriculum")
    assert firedrill.packs() == cli_json(cli, "packs")


def fnv1a(digest: int, text: str) -> int:
    """FNV-1a over the UTF-8 bytes of `text`, continuing from `digest`
    (`firedrill::runner::trajectory_digest`)."""
    for byte in text.encode():
        digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return digest


def trajectory_digest(env: _core.Env, scenario: str, seed: int, agent_name: str) -> str:
    """The digest of a whole trajectory over the JSON texts the Python
    boundary returns: the first observation, every step (at most 100),
    then the grade."""
    agent = _core.Agent(agent_name, seed)
    digest = fnv1a(0xCBF29CE484222325, env.reset(None, scenario, seed))
    for _ in range(100):
        step = env.step(agent.act(env))
        digest = fnv1a(digest, step)
        parsed = json.loads(step)
        if parsed["terminated"] or parsed["truncated"]:
            break
    return f"{fnv1a(digest, env.grade()):016x}"


def test_the_trajectory_digest_is_the_one_the_browser_checks():
    golden = (GOLDEN / "trajectory_digest.txt").read_text().strip()
    assert trajectory_digest(_core.Env(), POOL, 42, "heuristic") == golden


@pytest.mark.parametrize("agent", ["oracle", "heuristic"])
def test_a_loaded_scenario_plays_as_in_the_browser(agent):
    env = _core.Env()
    env.load_scenario((FIXTURES / "capabilities-drill.toml").read_text(), "capabilities-drill.toml")
    golden = (GOLDEN / f"capabilities_digest_{agent}.txt").read_text().strip()
    assert trajectory_digest(env, "capabilities-drill", 42, agent) == golden


@pytest.fixture(scope="module")
def golden_actions() -> list[dict]:
    return json.loads((GOLDEN / "actions.json").read_text())


def test_the_golden_episode_runs_as_the_cli_printed_it(golden_actions):
    run = json.loads((GOLDEN / "run.json").read_text())
    assert firedrill.run_episode(scenario="dns-failure-v1", seed=7, actions=golden_actions) == run


def test_the_golden_episode_renders_grades_and_exports_the_same(golden_actions):
    env = firedrill.Env()
    env.reset(scenario="dns-failure-v1", seed=7)
    for index, action in enumerate(golden_actions):
        if index == 3:
            assert env.render() == (GOLDEN / "render-step-3.md").read_text()
        env.step(action)
    assert env.render() == (GOLDEN / "render-end.md").read_text()
    assert env.export("telemetry") == (GOLDEN / "telemetry.prom").read_text()  # before any grade
    assert env.grade() == json.loads((GOLDEN / "grade.json").read_text())
    exports = {
        "exposition": "exposition.prom",
        "rules": "rules.yml",
        "grafana": "grafana.json",
        "grafana-slo": "grafana-slo.json",
        "grafana-service": "grafana-service.json",
        "csv": "recorder.csv",
        "otlp-logs": "otlp-logs.json",
    }
    for kind, file in exports.items():
        assert env.export(kind) == (GOLDEN / file).read_text(), kind
