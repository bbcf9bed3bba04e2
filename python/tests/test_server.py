"""The OpenEnv server (``python -m firedrill.server``) on 127.0.0.1: HTTP
sessions, refusals that leave the session usable, the grade, render,
leaderboard, curriculum and metrics, the session limits, and openenv-core's
own ``EnvClient`` (our subclass) playing a whole episode over WebSocket
graded as the CLI grades it."""

from __future__ import annotations

import doctest
import json
import time

import pytest

import firedrill
import firedrill.openenv
from conftest import POOL, cli_json
from firedrill.openenv import FiredrillAction, FiredrillClient
pytest_plugins = ["serving"]


def reset(server, **body):
    status, headers, payload = server.request("POST", "/reset", body)
    assert status == 200, payload
    answer = json.loads(payload)
    assert headers["X-Session-Id"] == answer["session_id"]
    return answer


def test_the_openenv_module_examples_run():
    failed, attempted = doctest.testmod(firedrill.openenv)
    assert attempted > 0 and failed == 0


def test_health_and_schema_describe_the_environment(server):
    assert server.json("GET", "/health") == (200, {"status": "healthy"})
    status, schema = server.json("GET", "/schema")
    assert status == 200
    assert "action_type" in schema["action"]["properties"]
    assert {"session_id", "alerts", "grade"} <= set(schema["observation"]["properties"])
    assert "session_id" in schema["state"]["properties"]


def test_openenv_validates_the_running_server(server):
    # What `openenv validate --url` checks: OpenAPI, /health, /metadata,
    # /schema, /mcp, and the simulation mode's /reset, /step, /state.
    from openenv.cli._validation import validate_running_environment

    report = validate_running_environment(server.url)
    assert report["passed"], [c for c in report["criteria"] if not c["passed"]]


def test_http_sessions_keep_their_episodes(server):
    first = reset(server, scenario=POOL, seed=42)
    second = reset(server, task="severity_classification", seed=1)
    assert first["session_id"] != second["session_id"]
    assert first["observation"]["scenario"] == POOL and first["observation"]["step"] == 0
    action = {"action_type": "investigate", "target": "orders-db", "reasoning": "pool alert"}
    for expected_step in (1, 2):
        status, step = server.json("POST", "/step", {"action": action}, session=first["session_id"])
        assert status == 200, step
        assert step["observation"]["step"] == expected_step
        assert isinstance(step["reward"], float) and step["done"] is False
    status, state = server.json("GET", "/state", session=first["session_id"])
    assert status == 200 and state["step_count"] == 2 and state["scenario"] == POOL
    status, state = server.json("GET", "/state", session=second["session_id"])
    assert state["step_count"] == 0 and state["task"] == "severity_classification"
    # A reset with the header restarts the episode in the same session.
    status, again = server.json("POST", "/reset", {"scenario": POOL, "seed": 42}, session=first["session_id"])
    assert status == 200 and again["session_id"] == first["session_id"]
    assert again["observation"]["step"] == 0


REFUSALS = [
    # (name, method, path, body, session: None / "unknown" / "valid", status, in the message)
    ("step without a session", "POST", "/step", {"action": {"action_type": "investigate"}}, None, 400, "X-Session-Id"),
    ("step in an unknown session", "POST", "/step", {"action": {"action_type": "investigate"}}, "unknown", 404, "unknown session"),
    ("state without a session", "GET", "/state", None, None, 400, "POST /reset"),
    ("an action without action_type", "POST", "/step", {"action": {"target": "orders-db"}}, "valid", 422, "action_type"),
    ("an action with an unknown field", "POST", "/step", {"action": {"action_type": "investigate", "colour": "red"}}, "valid", 422, "colour"),
    ("an unknown action type", "POST", "/step", {"action": {"action_type": "reboot"}}, "valid", 400, "reboot"),
    ("a target off the map", "POST", "/step", {"action": {"action_type": "investigate", "target": "nowhere"}}, "valid", 400, "nowhere"),
    ("a body that is not an action", "POST", "/step", {"act": 1}, "valid", 400, "unknown field"),
    ("an unknown scenario", "POST", "/reset", {"scenario": "no-such-scenario"}, "valid", 404, "no-such-scenario"),
    ("a seed out of range", "POST", "/reset", {"task": "root_cause_analysis", "seed": -1}, "valid", 400, "seed"),
    ("an unknown reset parameter", "POST", "/reset", {"level": 3}, "valid", 400, "level"),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_bad_input_gets_a_4xx_with_a_message_and_the_session_stays_usable(server, case):
    _, method, path, body, session, status, message = case
    sid = reset(server, scenario=POOL, seed=42)["session_id"]
    header = {"valid": sid, "unknown": "0123456789abcdef", None: None}[session]
    code, answer = server.json(method, path, body, session=header)
    assert code == status, answer
    assert message in answer["detail"], answer
    code, step = server.json("POST", "/step", {"action": {"action_type": "investigate", "target": "orders-db"}}, session=sid)
    assert code == 200 and step["observation"]["step"] == 1


def test_a_body_that_is_not_json_is_refused(server):
    sid = reset(server, scenario=POOL, seed=42)["session_id"]
    status, _, payload = server.request("POST", "/step", raw=b"{not json", session=sid)
    assert status == 400 and b"not JSON" in payload


def test_grade_render_leaderboard_curriculum_and_metrics(server):
    sid = reset(server, scenario=POOL, seed=42)["session_id"]
    local, oracle = firedrill.Env(), firedrill.Agent("oracle")
    observation = local.reset(scenario=POOL, seed=42)
    while not observation["done"]:
        action = oracle.act(local)
        observation = local.step(action)["observation"]
        status, step = server.json("POST", "/step", {"action": action}, session=sid)
        assert status == 200
    assert step["done"] is True and step["observation"]["grade"] == local.grade()
    assert server.json("GET", "/grade", session=sid) == (200, local.grade())
    status, headers, text = server.request("GET", "/render", session=sid)
    assert status == 200 and headers["content-type"].startswith("text/markdown")
    assert text.decode() == local.render()
    status, board = server.json("GET", "/leaderboard", session=sid)
    assert status == 200 and board["session_id"] == sid
    [entry] = board["entries"]
    assert entry["rank"] == 1 and entry["scenario"] == POOL and entry["seed"] == 42
    assert entry["score"] == local.grade()["score"] and entry["steps"] == observation["step"]
    assert server.json("GET", "/curriculum") == (200, firedrill.curriculum())
    status, headers, metrics = server.request("GET", "/metrics")
    text = metrics.decode()
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'firedrill_server_sessions{transport="http"}' in text
    assert f'firedrill_episodes_finished_total{{session_id="{sid}"}} 1' in text
    assert text.count("# TYPE firedrill_steps_total counter") == 1
    assert 'firedrill_server_requests_total{method="POST",route="/step",code="200"}' in text


def test_env_client_plays_a_whole_episode_graded_as_the_cli(server, cli):
    expected = cli_json(cli, "run", "--scenario", POOL, "--seed", "7", "--agent", "heuristic")
    local, heuristic = firedrill.Env(), firedrill.Agent("heuristic")
    observation = local.reset(scenario=POOL, seed=7)
    with FiredrillClient(base_url=server.url).sync() as client:
        result = client.reset(scenario=POOL, seed=7)
        assert result.observation.step == 0 and not result.done
        while not observation["done"]:
            action = heuristic.act(local)
            observation = local.step(action)["observation"]
            result = client.step(FiredrillAction(**action))
            assert result.observation.step == observation["step"]
        assert result.done
        grade = result.observation.grade
        assert grade["score"] == expected["score"]
        assert {d["name"]: d["score"] for d in grade["dimensions"]} == {
            d["name"]: d["score"] for d in expected["dimensions"]
        }
        state = client.state()
        assert state.step_count == expected["steps"] and state.scenario == POOL
        # The WebSocket session has its Prometheus API too.
        sid = result.observation.session_id
        status, answer = server.json("GET", f"/sessions/{sid}/api/v1/query?query=up")
        assert status == 200 and answer["data"]["result"], answer


def test_env_client_refusals_leave_the_session_usable(server):
    with FiredrillClient(base_url=server.url).sync() as client:
        client.reset(scenario=POOL, seed=3)
        with pytest.raises(RuntimeError, match="invalid_action|reboot"):
            client.step(FiredrillAction(action_type="reboot"))
        with pytest.raises(RuntimeError, match="VALIDATION_ERROR|colour"):
            client.step({"action_type": "investigate", "colour": "red"})
        with pytest.raises(RuntimeError, match="no-such-scenario"):
            client.reset(scenario="no-such-scenario")
        result = client.step(FiredrillAction(action_type="investigate", target="orders-db"))
        assert result.observation.step == 1


def test_sessions_are_capped_and_expire(start_server):
    with start_server("--max-sessions", "2", "--session-ttl", "1") as server:
        first = reset(server, task="severity_classification", seed=1)["session_id"]
        time.sleep(0.05)
        second = reset(server, task="severity_classification", seed=2)["session_id"]
        assert server.json("GET", "/state", session=first)[0] == 200
        third = reset(server, task="severity_classification", seed=3)["session_id"]
        # Full: the session idle the longest (second: first was used since) went.
        assert server.json("GET", "/state", session=second)[0] == 404
        assert server.json("GET", "/state", session=first)[0] == 200
        time.sleep(1.3)
        status, answer = server.json("GET", "/state", session=third)
        assert status == 404 and "expired after 1 s idle" in answer["detail"]
        status, metrics = server.request("GET", "/metrics")[::2]
        assert b'firedrill_server_sessions_total{event="evicted"} 1' in metrics
        assert b'firedrill_server_sessions_total{event="expired"} 2' in metrics
