"""The Gymnasium environment `firedrill/Firedrill-v0`: gymnasium's own
checker passes on both observation formats, resets are deterministic per
seed, an invalid action never raises, and an episode played with the
heuristic agent's actions as JSON text grades as `firedrill run` does."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import pytest

gymnasium = pytest.importorskip("gymnasium")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import firedrill  # noqa: E402
from firedrill.gym import CHARSET, INVALID_ACTION_REWARD, FiredrillEnv  # noqa: E402
from conftest import POOL, cli_json  # noqa: E402


def make(**options) -> FiredrillEnv:
    return gymnasium.make("firedrill/Firedrill-v0", **options).unwrapped


@pytest.mark.parametrize("observation_format", ["markdown", "json"])
@pytest.mark.parametrize("task", ["severity_classification", "full_incident_management"])
def test_check_env_passes_without_a_warning(observation_format, task):
    env = gymnasium.make(
        "firedrill/Firedrill-v0", task=task, observation_format=observation_format, render_mode="ansi"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)


@pytest.mark.parametrize("first", ["firedrill", "gymnasium"])
def test_registered_whatever_the_import_order(first):
    second = "gymnasium" if first == "firedrill" else "firedrill"
    code = (
        f"import {first}, {second}; import gymnasium\n"
        "env = gymnasium.make('firedrill/Firedrill-v0', scenario='dns-failure-v1')\n"
        "print(env.reset(seed=7)[1]['scenario'])"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "dns-failure-v1"


def test_the_package_imports_without_gymnasium_and_ray():
    code = (
        "import sys; sys.modules['gymnasium'] = None; sys.modules['ray'] = None\n"
        "import firedrill\n"
        "print(firedrill.evaluate('oracle', scenarios='dns-failure-v1', seeds=1)['episodes'])"
    )
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert (ran.returncode, ran.stdout.strip()) == (0, "1"), ran.stderr


@pytest.mark.parametrize("observation_format", ["markdown", "json"])
def test_the_same_seed_and_actions_give_the_same_trajectory(observation_format):
    def trajectory(seed: int) -> list:
        env = make(task="full_incident_management", observation_format=observation_format)
        observation, info = env.reset(seed=seed)
        agent = firedrill.Agent("heuristic")
        steps = [(observation, info["scenario"])]
        terminated = truncated = False
        while not (terminated or truncated):
            action = json.dumps(agent.act(env.env))
            observation, reward, terminated, truncated, info = env.step(action)
            steps.append((observation, reward, terminated, truncated))
        return steps

    assert trajectory(11) == trajectory(11)
    assert trajectory(11) != trajectory(12)


def test_a_reset_without_seed_follows_the_generator():
    env = make(task="root_cause_analysis")
    env.reset(seed=5)
    first = [env.reset()[1]["seed"] for _ in range(3)]
    env.reset(seed=5)
    assert [env.reset()[1]["seed"] for _ in range(3)] == first


@pytest.mark.parametrize("seed", [1, 42])
@pytest.mark.parametrize("observation_format", ["markdown", "json"])
def test_heuristic_actions_as_json_grade_as_the_cli(cli, seed, observation_format):
    env = make(scenario=POOL, observation_format=observation_format)
    observation, info = env.reset(seed=seed)
    agent = firedrill.Agent("heuristic")
    terminated = truncated = False
    total = 0.0
    while not (terminated or truncated):
        observation, reward, terminated, truncated, info = env.step(json.dumps(agent.act(env.env)))
        total += reward
        assert info["reward_parts"]["step"] == reward
    ran = cli_json(cli, "run", "--scenario", POOL, "--seed", str(seed), "--agent", "heuristic")
    assert info["grade"]["score"] == ran["score"]
    assert info["observation"]["step"] == ran["steps"]
    assert info["observation"]["cumulative_reward"] == pytest.approx(total)
    if observation_format == "json":
        assert json.loads(observation) == info["observation"]
    else:
        assert observation == env.env.render()


@pytest.mark.parametrize(
    "action, kind, says",
    [
        ("not json", "invalid_action", "not JSON"),
        ("[1, 2]", "invalid_action", "JSON object"),
        ('{"action_type": "dance"}', "invalid_action", "action_type"),
        ('{"action_type": "investigate", "target": "no-such-service"}', "invalid_action", "no-such-service"),
        ('{"action_type": "investigate", "colour": "red"}', "invalid_argument", "colour"),
    ],
)
def test_an_invalid_action_is_answered_not_raised(action, kind, says):
    env = make(scenario=POOL)
    before, _ = env.reset(seed=3)
    observation, reward, terminated, truncated, info = env.step(action)
    assert (observation, reward, terminated, truncated) == (before, INVALID_ACTION_REWARD, False, False)
    assert info["error"]["kind"] == kind
    assert says in info["error"]["message"]
    assert info["observation"]["step"] == 0


def test_invalid_actions_truncate_the_episode_at_the_limit():
    env = make(scenario=POOL, max_invalid_actions=3)
    env.reset(seed=3)
    steps = [env.step("?") for _ in range(3)]
    assert [truncated for _, _, _, truncated, _ in steps] == [False, False, True]
    assert "grade" in steps[-1][4] and "grade" not in steps[0][4]


def test_every_built_in_render_fits_the_charset():
    env = firedrill.Env()
    allowed = set(CHARSET)
    for summary in firedrill.scenarios():
        env.reset(scenario=summary["id"], seed=1)
        env.run_episode("heuristic", scenario=summary["id"], seed=1)
        for text in (env.render(), json.dumps(env.observation(), ensure_ascii=False)):
            assert set(text) <= allowed, (summary["id"], set(text) - allowed)
