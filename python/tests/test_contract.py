"""The contract from Python: reset / step / state / grade, the queries,
the renders and exports, the catalogs, the agents: their shapes and their
rules (seeding only at reset, the ground truth hidden until the end, a
lean step playing the same episode)."""

from __future__ import annotations

import base64
import json

import pytest

import firedrill
from conftest import FIXTURES, POOL

TASKS = ["severity_classification", "root_cause_analysis", "full_incident_management"]


def play(env: firedrill.Env, agent: firedrill.Agent) -> list[dict]:
    """Plays the episode in `env` to its end; returns the steps."""
    steps = []
    observation = env.observation()
    while not observation["done"]:
        steps.append(env.step(agent.act(env)))
        observation = steps[-1]["observation"]
    return steps


def test_reset_returns_the_first_observation(env):
    observation = env.reset(scenario=POOL, seed=42)
    assert observation["scenario"] == POOL
    assert observation["step"] == 0
    assert observation["done"] is False
    assert observation["task"] == "full_incident_management"
    assert observation["step_budget"] > 0
    assert observation["services"] and "alerts" in observation


@pytest.mark.parametrize("task", TASKS)
def test_reset_by_task_plays_a_scenario_of_the_task(env, task):
    observation = env.reset(task=task, seed=3)
    assert observation["task"] == task
    listed = {s["id"]: s["task"] for s in firedrill.scenarios()}
    assert listed[observation["scenario"]] == task


def test_reset_takes_positional_task_and_defaults_the_seed_to_zero(env):
    assert env.reset("root_cause_analysis") == env.reset(task="root_cause_analysis", seed=0)


def test_step_returns_observation_reward_flags_and_info(pool):
    step = pool.step(
        {"action_type": "investigate", "target": "orders-db", "reasoning": "the pool alert"}
    )
    assert set(step) == {"observation", "reward", "terminated", "truncated", "info"}
    assert step["observation"]["step"] == 1
    assert isinstance(step["reward"], float)
    assert step["terminated"] is False and step["truncated"] is False
    assert step["info"]["action_type"] == "investigate"


def test_an_action_may_be_its_json_text(env):
    action = {"action_type": "classify", "parameters": {"severity": "P1"}}
    env.reset(scenario=POOL, seed=1)
    from_dict = env.step(action)
    env.reset(scenario=POOL, seed=1)
    assert env.step(json.dumps(action)) == from_dict


def test_an_action_may_be_any_mapping(env):
    from types import MappingProxyType

    env.reset(scenario=POOL, seed=1)
    step = env.step(MappingProxyType({"action_type": "investigate", "target": "orders-db"}))
    assert step["info"]["action_type"] == "investigate"


def test_none_fields_count_as_absent(env):
    env.reset(scenario=POOL, seed=1)
    step = env.step(
        {"action_type": "investigate", "target": "checkout", "parameters": None, "reasoning": None}
    )
    assert step["observation"]["step"] == 1


def test_a_lean_step_plays_the_same_episode_as_step():
    agent = firedrill.Agent("heuristic")
    full, lean = firedrill.Env(), firedrill.Env()
    full.reset(scenario=POOL, seed=5)
    lean.reset(scenario=POOL, seed=5)
    while not full.observation()["done"]:
        action = agent.act(full)
        step = full.step(action)
        lean_step = lean.step_lean(action)
        assert set(lean_step) == {"reward", "terminated", "truncated", "info"}
        assert {k: step[k] for k in lean_step} == lean_step
        assert lean.observation() == step["observation"]
    assert lean.grade() == full.grade()


def test_state_hides_the_ground_truth_until_the_end(pool):
    state = pool.state()
    assert state["scenario"] == POOL and state["step"] == 0
    assert state.get("ground_truth") is None
    play(pool, firedrill.Agent("oracle"))
    final = pool.state()
    assert final["terminated"] or final["truncated"]
    assert final["ground_truth"] is not None
    assert len(final["history"]) == final["step"]


def test_grade_scores_named_dimensions_in_zero_one(pool):
    grade = pool.grade()
    assert grade["final_grade"] is False
    play(pool, firedrill.Agent("oracle"))
    grade = pool.grade()
    assert grade["final_grade"] is True
    assert grade["score"] >= 0.9
    weights = 0.0
    for dimension in grade["dimensions"]:
        assert set(dimension) >= {"name", "weight", "score", "explanation"}
        assert 0.0 <= dimension["score"] <= 1.0
        weights += dimension["weight"]
    assert weights == pytest.approx(1.0)


def test_the_same_seed_and_actions_give_the_same_trajectory():
    def trajectory(seed: int) -> list[dict]:
        env = firedrill.Env()
        env.reset(task="full_incident_management", seed=seed)
        return play(env, firedrill.Agent("random", seed))

    assert trajectory(11) == trajectory(11)
    assert trajectory(11) != trajectory(12)


def test_query_answers_as_the_prometheus_http_api(pool):
    answer = pool.query("up")
    assert answer["status"] == "success"
    assert answer["data"]["resultType"] == "vector"
    services = {sample["metric"]["service"] for sample in answer["data"]["result"]}
    assert "orders-db" in services


def test_query_at_a_time_and_a_scalar(pool):
    time = pool.observation()["time"]
    answer = pool.query("1 + 1", time)
    assert answer["data"] == {"resultType": "scalar", "result": [time, "2"]}
    assert pool.query("1 + 1", float(time))["data"] == answer["data"]


def test_a_bad_expression_is_prometheus_error_object_not_an_exception(pool):
    answer = pool.query("sum(")
    assert answer["status"] == "error"
    assert answer["errorType"] == "bad_data"
    assert "position" in answer["error"] or "sum(" in answer["error"] or answer["error"]


def test_query_range_answers_a_matrix(pool):
    for _ in range(3):
        pool.step({"action_type": "investigate", "target": "orders-db"})
    now = pool.observation()["time"]
    answer = pool.query_range("up", now - 120, now, 30)
    assert answer["status"] == "success"
    assert answer["data"]["resultType"] == "matrix"
    series = answer["data"]["result"][0]
    assert [point[0] for point in series["values"]] == [now - 120, now - 90, now - 60, now - 30, now]


def test_render_is_the_markdown_dashboard(pool):
    text = pool.render()
    assert text.startswith("#")
    assert "orders-db" in text


def test_exposition_telemetry_and_exports_are_text(pool):
    assert "# TYPE" in pool.exposition()
    assert "firedrill_" in pool.telemetry()
    assert firedrill.Env().telemetry()  # works before any reset
    assert "groups:" in pool.export("rules")
    json.loads(pool.export("grafana"))


def test_traces_go_through_the_service_asked(pool):
    pool.step({"action_type": "investigate", "target": "orders-db"})
    traces = pool.traces("orders-db", 2)
    assert 1 <= len(traces) <= 2
    assert all(any(span["service"] == "orders-db" for span in t["spans"]) for t in traces)
    assert len(pool.traces()) <= 5


def test_a_loaded_scenario_is_playable_by_its_id(env):
    text = (FIXTURES / "capabilities-drill.toml").read_text()
    assert env.load_scenario(text, "capabilities-drill.toml") == "capabilities-drill"
    assert "capabilities-drill" in {s["id"] for s in env.scenarios()}
    assert "capabilities-drill" not in {s["id"] for s in firedrill.scenarios()}
    assert env.reset(scenario="capabilities-drill", seed=1)["scenario"] == "capabilities-drill"


def test_the_catalogs():
    listed = firedrill.scenarios()
    assert len(listed) >= 50
    assert {"id", "handle", "title", "task", "fault", "services"} <= set(listed[0])
    assert {c["id"] for c in firedrill.causes()} >= {"connection_pool_exhaustion", "bad_deploy"}
    assert [stage["task"] for stage in firedrill.curriculum()] == TASKS
    assert all(pack["drills"] for pack in firedrill.packs())
    assert firedrill.Env().scenarios() == listed


def test_the_constants():
    assert firedrill.AGENT_NAMES == ("random", "heuristic", "oracle")
    assert firedrill.ACTION_TYPES[:3] == ("investigate", "classify", "diagnose")
    assert firedrill.MAX_SEED == 2**53 - 1
    assert firedrill.__version__


@pytest.mark.parametrize("name", firedrill.AGENT_NAMES)
def test_every_agent_plays_valid_actions_to_the_end(env, name):
    env.reset(task="full_incident_management", seed=2)
    steps = play(env, firedrill.Agent(name, seed=2))
    assert steps and (steps[-1]["terminated"] or steps[-1]["truncated"])
    assert repr(firedrill.Agent(name, 2)) == f"Agent({name!r}, seed=2)"


def test_run_episode_plays_a_whole_episode_in_one_call():
    summary = firedrill.run_episode("oracle", scenario=POOL, seed=4)
    assert summary["scenario"] == POOL and summary["seed"] == 4
    assert summary["final"] is True and summary["score"] >= 0.9
    replayed = firedrill.run_episode(scenario=POOL, seed=4, actions=summary["actions"])
    assert replayed == summary
    as_text = firedrill.run_episode(scenario=POOL, seed=4, actions=json.dumps(summary["actions"]))
    assert as_text == summary


def test_an_env_keeps_the_episode_it_ran_and_plays_the_next_the_same():
    env = firedrill.Env()
    first = env.run_episode("heuristic", scenario=POOL, seed=4)
    assert env.state()["step"] == first["steps"]
    assert env.grade()["score"] == first["score"]
    assert POOL in env.render()
    assert env.run_episode("random", task="root_cause_analysis", seed=9) == firedrill.run_episode(
        "random", task="root_cause_analysis", seed=9
    )
    assert env.run_episode("heuristic", scenario=POOL, seed=4) == first


def test_grade_code_replays_a_result_code_and_trusts_no_score():
    run = firedrill.run_episode("heuristic", scenario="disk-full-v1", seed=5)
    claim = {
        "name": "Lin",
        "scenario": "disk-full-v1",
        "seed": 5,
        "mode": "practice",
        "score": 1.0,
        "actions": run["actions"],
    }
    encoded = base64.urlsafe_b64encode(json.dumps(claim).encode()).rstrip(b"=").decode()
    graded = firedrill.grade_code("r1." + encoded)
    for key in ["score", "dimensions", "actions", "steps", "status"]:
        assert graded[key] == run[key], key
    assert graded["name"] == "Lin"
    assert graded["score_edited"] is (run["score"] != 1.0)
    with pytest.raises(firedrill.InvalidArgument, match="^grade_code: .*result code"):
        firedrill.grade_code("r1.not-a-code")
