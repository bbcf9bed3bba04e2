"""The Prometheus HTTP API of a session's episode, on the running server:
``promtool query instant`` and ``query range`` against
``/sessions/<id>``, and each route's answers and refusals in Prometheus'
JSON, with the header or under the session's path prefix."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from urllib.parse import quote, urlencode

import pytest

import firedrill
from conftest import POOL, missing
pytest_plugins = ["serving"]

STEPS = 6


@pytest.fixture(scope="module")
def drill(server):
    """The server and a session with a few steps of POOL played: (server,
    session id, episode start, episode end, the same episode in a local
    Env), times in simulated Unix seconds."""
    if True:
        status, answer = server.json("POST", "/reset", {"scenario": POOL, "seed": 42})
        assert status == 200
        sid = answer["session_id"]
        local, agent = firedrill.Env(), firedrill.Agent("heuristic")
        local.reset(scenario=POOL, seed=42)
        for _ in range(STEPS):
            action = agent.act(local)
            local.step(action)
            assert server.json("POST", "/step", {"action": action}, session=sid)[0] == 200
        status, state = server.json("GET", "/state", session=sid)
        yield server, sid, state["start_time"], state["end_time"], local


def promtool(*arguments: str) -> str:
    path = shutil.which("promtool")
    if path is None:
        missing("promtool is not installed (scripts/setup installs it)")
    ran = subprocess.run([path, *arguments], capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0, f"promtool {' '.join(arguments)}: {ran.stderr}"
    return ran.stdout


def test_promtool_query_instant(drill):
    server, sid, _, end, _ = drill
    out = promtool("query", "instant", "--time", str(end), f"{server.url}/sessions/{sid}", "up")
    lines = [line for line in out.splitlines() if line.startswith("up{")]
    assert lines and all(f"@[{end}]" in line for line in lines), out
    assert 'service="orders-db"' in out


def test_promtool_query_range(drill):
    server, sid, start, end, _ = drill
    rfc3339 = datetime.fromtimestamp(start, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = promtool(
        "query", "range", "--start", rfc3339, "--end", str(end), "--step", "30s",
        f"{server.url}/sessions/{sid}", 'sum by (service) (rate(http_requests_total[5m]))',
    )
    assert '{service="orders-db"}' in out and f"@[{end}]" in out, out


def test_query_answers_as_the_core_with_the_header_or_the_prefix(drill):
    server, sid, _, end, local = drill
    expr = 'sum by (service) (rate(http_requests_total{code=~"5.."}[5m]))'
    expected = local.query(expr, end)
    path = f"/api/v1/query?{urlencode({'query': expr, 'time': end})}"
    assert server.json("GET", path, session=sid) == (200, expected)
    assert server.json("GET", f"/sessions/{sid}{path}") == (200, expected)
    form = urlencode({"query": expr, "time": end}).encode()
    status, answer = server.json(
        "POST", f"/sessions/{sid}/api/v1/query", raw=form, content_type="application/x-www-form-urlencoded"
    )
    assert (status, answer) == (200, expected)
    # Without time: the episode's newest sample.
    assert server.json("GET", f"/sessions/{sid}/api/v1/query?query=up")[1] == local.query("up")


def test_query_range_takes_rfc3339_and_durations(drill):
    server, sid, start, end, local = drill
    expected = local.query_range("up", start, end, 60)
    iso = datetime.fromtimestamp(start, timezone.utc).isoformat()
    query = urlencode({"query": "up", "start": iso, "end": end, "step": "1m"})
    assert server.json("GET", f"/sessions/{sid}/api/v1/query_range?{query}") == (200, expected)


def test_series_labels_and_label_values(drill):
    server, sid, start, end, local = drill
    query = urlencode({"match[]": 'up{service="orders-db"}', "start": start, "end": end})
    status, series = server.json("GET", f"/sessions/{sid}/api/v1/series?{query}")
    assert status == 200 and series["status"] == "success"
    assert series["data"] and all(s["__name__"] == "up" and s["service"] == "orders-db" for s in series["data"])
    status, labels = server.json("GET", f"/sessions/{sid}/api/v1/labels")
    assert status == 200 and {"__name__", "service"} <= set(labels["data"])
    assert labels["data"] == sorted(labels["data"])
    status, names = server.json("GET", f"/sessions/{sid}/api/v1/label/__name__/values")
    assert status == 200 and "up" in names["data"] and "http_requests_total" in names["data"]
    status, services = server.json(
        "GET", f"/api/v1/label/service/values?{urlencode({'match[]': 'up'})}", session=sid
    )
    expected = sorted({r["metric"]["service"] for r in local.query("up", end)["data"]["result"]})
    assert (status, services["data"]) == (200, expected)
    # Before the episode: nothing.
    query = urlencode({"match[]": "up", "start": start - 86400 * 7, "end": start - 86400 * 6})
    assert server.json("GET", f"/sessions/{sid}/api/v1/series?{query}")[1]["data"] == []


def test_buildinfo_answers_for_grafana(drill):
    server, sid, *_ = drill
    status, info = server.json("GET", f"/sessions/{sid}/api/v1/status/buildinfo")
    assert status == 200 and info["status"] == "success" and info["data"]["version"]
    # Save & test asks for 1+1 at the real clock's now.
    status, answer = server.json("GET", f"/sessions/{sid}/api/v1/query?query=1%2B1&time=1796000000")
    assert status == 200 and answer["data"]["result"] == [1796000000, "2"]
    for path in ("/api/v1/metadata", "/api/v1/query_exemplars?query=up&start=0&end=1"):
        status, answer = server.json("GET", f"/sessions/{sid}{path}")
        assert status == 200 and answer["status"] == "success"


REFUSALS = [
    # (name, path after /sessions/<id>, status, errorType, in the error)
    ("a query that does not parse", "/api/v1/query?query=sum(", 400, "bad_data", "parse error"),
    ("no query", "/api/v1/query", 400, "bad_data", '"query"'),
    ("a time that is not one", "/api/v1/query?query=up&time=yesterday", 400, "bad_data", '"time"'),
    ("a step that is not a duration", "/api/v1/query_range?query=up&start=0&end=60&step=fast", 400, "bad_data", '"step"'),
    ("no end", "/api/v1/query_range?query=up&start=0&step=15", 400, "bad_data", '"end"'),
    ("end before start", "/api/v1/query_range?query=up&start=60&end=0&step=15", 400, "bad_data", "end"),
    ("too many points", "/api/v1/query_range?query=up&start=0&end=100000&step=1", 400, "bad_data", "11,000"),
    ("series without match[]", "/api/v1/series", 400, "bad_data", "match[]"),
    ("a match[] that is not a selector", "/api/v1/series?match[]=" + quote("rate(up[5m])"), 400, "bad_data", "series selector"),
    ("a label name that is not one", "/api/v1/label/1abc/values", 400, "bad_data", "label name"),
]


@pytest.mark.parametrize("case", REFUSALS, ids=[c[0] for c in REFUSALS])
def test_refusals_in_prometheus_json_leave_the_session_usable(drill, case):
    server, sid, *_ = drill
    _, path, status, error_type, message = case
    code, answer = server.json("GET", f"/sessions/{sid}{path}")
    assert code == status, answer
    assert answer["status"] == "error" and answer["errorType"] == error_type
    assert message in answer["error"], answer
    assert server.json("GET", f"/sessions/{sid}/api/v1/query?query=up")[0] == 200


def test_unknown_sessions_are_refused_in_prometheus_json(drill):
    server, *_ = drill
    code, answer = server.json("GET", "/sessions/nope/api/v1/query?query=up")
    assert code == 404 and answer["errorType"] == "not_found" and "unknown session" in answer["error"]
    code, answer = server.json("GET", "/api/v1/query?query=up")
    assert code == 400 and "X-Session-Id" in answer["error"]


def test_env_series_needs_an_episode_and_selectors():
    # Over HTTP a session exists from its first reset; the Python API says
    # what is missing.
    with pytest.raises(firedrill.ResetNeeded):
        firedrill.Env().series(["up"])
    env = firedrill.Env()
    env.reset(scenario=POOL, seed=1)
    with pytest.raises(firedrill.InvalidArgument, match="non-empty list"):
        env.series([])
    with pytest.raises(firedrill.InvalidArgument, match="start"):
        env.series("up", start="yesterday")
    assert env.series("up")["data"] == env.series(["up"])["data"]
