"""The Firedrill server: the OpenEnv environment over HTTP and WebSocket,
with sessions, and the Prometheus HTTP API of each session's episode.

``python -m firedrill.server [--host 127.0.0.1] [--port 8000]
[--max-sessions 64] [--session-ttl 1800]`` serves :func:`create_server`'s
app with uvicorn. docs/python-server.md describes every route; in short:

- OpenEnv (``openenv-core``'s ``create_app``): ``/ws`` (a session per
  connection), ``/health``, ``/schema``, ``/metadata``; and, replacing the
  SDK's stateless ones, ``POST /reset`` (returns ``session_id``, also in
  the ``X-Session-Id`` header), ``POST /step``, ``GET /state``, which keep
  the episode in the session named by the ``X-Session-Id`` header;
- the session's ``/grade``, ``/render`` (markdown), ``/leaderboard``; the
  server's ``/curriculum`` and ``/metrics`` (exposition format);
- the Prometheus HTTP API of a session's episode: ``/api/v1/query``,
  ``query_range``, ``series``, ``labels``, ``label/<name>/values``,
  ``status/buildinfo``, ``metadata``, ``query_exemplars`` (empty), with the ``X-Session-Id`` header or
  under ``/sessions/<session id>/api/v1/…`` (for Prometheus clients, which
  take only a base URL).

Sessions: at most ``--max-sessions`` (default 64) at once, HTTP and
WebSocket together; a new one when the server is full evicts the HTTP
session idle the longest (429 if every session is a WebSocket's). An HTTP
session idle for ``--session-ttl`` seconds (default 1800) expires; a
WebSocket session ends with its connection (or idle as long).
"""

from __future__ import annotations

import argparse
import calendar
import functools
import json
import math
import re
import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.types import ConcurrencyConfig, SchemaResponse
from pydantic import ValidationError
from starlette.routing import Route

from . import __version__, curriculum
from .errors import FiredrillError
from .openenv import (
    FiredrillAction,
    FiredrillEnvironment,
    FiredrillObservation,
    FiredrillState,
)

#: Sessions at once, by default.
DEFAULT_MAX_SESSIONS = 64
#: Seconds an HTTP session may stay idle before it expires, by default.
DEFAULT_SESSION_TTL_SECONDS = 1800.0
#: The header that names the session.
SESSION_HEADER = "X-Session-Id"
#: Largest request body read, in bytes.
MAX_BODY_BYTES = 1 << 20

#: The HTTP status of each error kind of :mod:`firedrill.errors`.
STATUS_OF_KIND = {
    "reset_needed": 409,
    "episode_over": 409,
    "unknown_task": 404,
    "unknown_scenario": 404,
    "invalid_action": 400,
    "invalid_argument": 400,
    "query": 400,
    "scenario": 400,
    "internal": 500,
}


class HTTPError(Exception):
    """A refusal with its status: ``{"detail": message, "kind": kind}``."""

    def __init__(self, status: int, message: str, kind: str = "invalid_argument"):
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind


class PrometheusError(Exception):
    """A refusal of the Prometheus API, in Prometheus' error JSON."""

    def __init__(self, status: int, message: str, error_type: str = "bad_data"):
        super().__init__(message)
        self.status, self.message, self.error_type = status, message, error_type


class Session:
    """An environment and when it was last used."""

    __slots__ = ("environment", "transport", "created", "last_used")

    def __init__(self, environment: FiredrillEnvironment, transport: str):
        self.environment = environment
        self.transport = transport
        self.created = self.last_used = time.monotonic()


class Sessions:
    """The sessions by id: capped, expiring (see the module docs)."""

    def __init__(self, max_sessions: int, ttl_seconds: float):
        self.max_sessions = max_sessions
        self.ttl_seconds = ttl_seconds
        self._by_id: Dict[str, Session] = {}
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def _expire(self, now: float) -> None:
        for sid, session in list(self._by_id.items()):
            if session.transport == "http" and now - session.last_used > self.ttl_seconds:
                del self._by_id[sid]
                self.counts["expired"] += 1

    def add(self, environment: FiredrillEnvironment, transport: str) -> None:
        """Registers ``environment`` (a no-op if it already is), evicting the
        HTTP session idle the longest when full; raises ``HTTPError(429)``
        when every session is a WebSocket's."""
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            if environment.session_id in self._by_id:
                self._by_id[environment.session_id].last_used = now
                return
            if len(self._by_id) >= self.max_sessions:
                idle = [s for s in self._by_id.values() if s.transport == "http"]
                if not idle:
                    raise HTTPError(
                        429,
                        f"the server has its maximum of {self.max_sessions} sessions, all "
                        "WebSocket connections; retry later",
                        "capacity",
                    )
                oldest = min(idle, key=lambda s: s.last_used)
                del self._by_id[oldest.environment.session_id]
                self.counts["evicted"] += 1
            self._by_id[environment.session_id] = Session(environment, transport)
            self.counts[f"created_{transport}"] += 1

    def remove(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)

    def get(self, session_id: Optional[str]) -> FiredrillEnvironment:
        """The session's environment (now used), or ``HTTPError`` 400 (no
        id) / 404 (unknown or expired)."""
        if not session_id:
            raise HTTPError(
                400,
                f"missing the {SESSION_HEADER} header: POST /reset starts a session and "
                f"returns its id (in the body's session_id and the {SESSION_HEADER} header)",
                "session",
            )
        with self._lock:
            now = time.monotonic()
            self._expire(now)
            session = self._by_id.get(session_id)
            if session is None:
                raise HTTPError(
                    404,
                    f"unknown session {session_id[:80]!r}: it never existed, expired after "
                    f"{self.ttl_seconds:g} s idle, or was evicted (at most {self.max_sessions} "
                    "sessions); POST /reset starts a new one",
                    "session",
                )
            session.last_used = now
            return session.environment

    def live(self) -> List[Session]:
        with self._lock:
            self._expire(time.monotonic())
            return list(self._by_id.values())


# --- Parameters, as Prometheus reads them -----------------------------------

_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_DURATION_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def parse_time(text: str, name: str) -> float:
    """A time as Prometheus takes it: Unix seconds (a float) or RFC 3339."""
    try:
        seconds = float(text)
    except ValueError:
        match = _RFC3339.match(text.strip())
        if not match:
            raise PrometheusError(
                400,
                f'invalid parameter "{name}": cannot parse "{text[:80]}" to a valid timestamp '
                "(Unix seconds or RFC 3339)",
            ) from None
        year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
        fraction = float(match.group(7) or 0)
        zone = match.group(8)
        offset = 0
        if zone not in ("Z", "z"):
            sign = 1 if zone[0] == "+" else -1
            offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        try:
            datetime(year, month, day, hour, minute, second)
        except ValueError as e:
            raise PrometheusError(400, f'invalid parameter "{name}": {e}') from None
        return calendar.timegm((year, month, day, hour, minute, second)) + fraction - offset
    if not math.isfinite(seconds):
        raise PrometheusError(400, f'invalid parameter "{name}": {text!r} is not a finite time')
    return seconds


def parse_duration(text: str, name: str) -> float:
    """A duration as Prometheus takes it: seconds (a float) or ``1m30s``."""
    try:
        seconds = float(text)
    except ValueError:
        match = _DURATION.match(text.strip())
        if not text.strip() or not match or not any(match.groups()):
            raise PrometheusError(
                400,
                f'invalid parameter "{name}": cannot parse "{text[:80]}" to a valid duration '
                "(seconds, or a Prometheus duration such as 30s or 1m30s)",
            ) from None
        return sum(int(g) * unit for g, unit in zip(match.groups(), _DURATION_MS) if g) / 1000
    if not math.isfinite(seconds):
        raise PrometheusError(400, f'invalid parameter "{name}": {text!r} is not finite')
    return seconds


async def _parameters(request: Request) -> List[Tuple[str, str]]:
    """The query string's parameters and, for a form POST, the body's."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            raise PrometheusError(413, f"the request body is over {MAX_BODY_BYTES} bytes")
        content_type = request.headers.get("content-type", "")
        if body and "application/x-www-form-urlencoded" not in content_type:
            raise PrometheusError(
                400, "a POST takes its parameters as application/x-www-form-urlencoded"
            )
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return pairs


def _one(pairs: List[Tuple[str, str]], name: str) -> Optional[str]:
    values = [v for k, v in pairs if k == name]
    return values[-1] if values else None


def _prometheus_answer(answer: Dict[str, Any]) -> JSONResponse:
    """The core's answer, with Prometheus' status for an error."""
    if answer.get("status") == "error":
        status = 422 if answer.get("errorType") == "execution" else 400
        return JSONResponse(answer, status_code=status)
    return JSONResponse(answer)


def _json_body_error(message: str) -> HTTPError:
    return HTTPError(400, message, "invalid_argument")


async def _json_body(request: Request) -> Dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise HTTPError(413, f"the request body is over {MAX_BODY_BYTES} bytes")
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise _json_body_error(f"the body is not JSON: {e}") from None
    if not isinstance(value, dict):
        raise _json_body_error(f"the body must be a JSON object, got {type(value).__name__}")
    return value


def _firedrill_error(error: FiredrillError) -> HTTPError:
    return HTTPError(STATUS_OF_KIND.get(error.kind, 400), str(error), error.kind)


def create_server(
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    session_ttl_seconds: float = DEFAULT_SESSION_TTL_SECONDS,
) -> FastAPI:
    """The app: OpenEnv's ``create_app`` over :class:`FiredrillEnvironment`,
    its HTTP ``/reset``, ``/step``, ``/state`` and ``/schema`` replaced by
    session-keeping ones, and the routes of the module docs."""
    if max_sessions < 1:
        raise ValueError("max_sessions must be at least 1")
    if not session_ttl_seconds > 0:
        raise ValueError("session_ttl_seconds must be positive")
    sessions = Sessions(max_sessions, session_ttl_seconds)
    requests: Counter[Tuple[str, str, int]] = Counter()
    requests_lock = threading.Lock()

    def register_websocket(environment: FiredrillEnvironment) -> None:
        try:
            sessions.add(environment, "ws")
        except HTTPError as e:
            raise RuntimeError(f"{e.status} {e.kind}: {e.message}") from None

    class WebSocketEnvironment(FiredrillEnvironment):
        """A WebSocket session's environment: registered at its first reset,
        removed when the connection closes."""

        def __init__(self) -> None:
            super().__init__(on_reset=register_websocket)

        def reset(self, *args: Any, **kwargs: Any) -> FiredrillObservation:
            try:
                return super().reset(*args, **kwargs)
            except FiredrillError as e:
                raise RuntimeError(f"{STATUS_OF_KIND.get(e.kind, 400)} {e.kind}: {e}") from None

        def step(self, action: FiredrillAction, *args: Any, **kwargs: Any) -> FiredrillObservation:
            try:
                return super().step(action, *args, **kwargs)
            except FiredrillError as e:
                raise RuntimeError(f"{STATUS_OF_KIND.get(e.kind, 400)} {e.kind}: {e}") from None

        def close(self) -> None:
            sessions.remove(self.session_id)

    app = create_app(
        WebSocketEnvironment,
        FiredrillAction,
        FiredrillObservation,
        env_name="firedrill",
        concurrency_config=ConcurrencyConfig(
            max_concurrent_envs=max_sessions, session_timeout=session_ttl_seconds
        ),
    )
    app.title = "Firedrill"
    app.version = __version__
    replaced = {("/reset", "POST"), ("/step", "POST"), ("/state", "GET"), ("/schema", "GET")}
    app.router.routes[:] = [
        route
        for route in app.router.routes
        if not (
            isinstance(route, Route)
            and any((route.path, m) in replaced for m in (route.methods or ()))
        )
    ]
    app.state.sessions = sessions

    @app.exception_handler(HTTPError)
    async def http_error(_: Request, error: HTTPError) -> JSONResponse:
        return JSONResponse({"detail": error.message, "kind": error.kind}, status_code=error.status)

    @app.exception_handler(FiredrillError)
    async def firedrill_error(_: Request, error: FiredrillError) -> JSONResponse:
        refused = _firedrill_error(error)
        return JSONResponse(
            {"detail": refused.message, "kind": refused.kind}, status_code=refused.status
        )

    @app.exception_handler(PrometheusError)
    async def prometheus_error(_: Request, error: PrometheusError) -> JSONResponse:
        return JSONResponse(
            {"status": "error", "errorType": error.error_type, "error": error.message},
            status_code=error.status,
        )

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        with requests_lock:
            requests[(request.method, path, response.status_code)] += 1
        return response

    def session_of(request: Request) -> FiredrillEnvironment:
        return sessions.get(request.headers.get(SESSION_HEADER))

    # --- OpenEnv over HTTP, with sessions -----------------------------------

    @app.post("/reset", tags=["Environment Control"])
    async def reset(request: Request) -> JSONResponse:
        """Starts an episode: ``{seed, episode_id, task, scenario}`` (all
        optional). With an ``X-Session-Id`` header, in that session;
        without, in a new one. Returns ``{observation, reward, done,
        session_id}`` and the ``X-Session-Id`` header."""
        body = await _json_body(request)
        sid = request.headers.get(SESSION_HEADER)
        environment = sessions.get(sid) if sid else FiredrillEnvironment()
        observation = await _run(environment.reset, **body)
        if not sid:
            sessions.add(environment, "http")
        payload = _serialized(observation)
        payload["session_id"] = environment.session_id
        return JSONResponse(payload, headers={SESSION_HEADER: environment.session_id})

    @app.post("/step", tags=["Environment Control"])
    async def step(request: Request) -> JSONResponse:
        """Plays ``{"action": {action_type, target, parameters, reasoning}}``
        in the session of the ``X-Session-Id`` header."""
        environment = session_of(request)
        body = await _json_body(request)
        unknown = set(body) - {"action", "timeout_s", "request_id"}
        if unknown:
            raise HTTPError(
                400, f"unknown field {sorted(unknown)[0]!r}; expected action (and timeout_s, request_id)"
            )
        if not isinstance(body.get("action"), dict):
            raise HTTPError(400, 'the body must be {"action": {action_type, target, parameters, reasoning}}')
        try:
            action = FiredrillAction.model_validate(body["action"])
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'action'}: {err['msg']}"
                for err in e.errors()
            )
            raise HTTPError(422, f"invalid action: {problems}", "invalid_action") from None
        observation = await _run(environment.step, action)
        payload = _serialized(observation)
        payload["session_id"] = environment.session_id
        return JSONResponse(payload, headers={SESSION_HEADER: environment.session_id})

    @app.get("/state", tags=["State Management"])
    async def state(request: Request) -> JSONResponse:
        """The session's state (ground truth once the episode is over)."""
        environment = session_of(request)
        value = await _run(lambda: environment.state)
        return JSONResponse(value.model_dump())

    @app.get("/schema", response_model=SchemaResponse, tags=["Schema"])
    async def schema() -> SchemaResponse:
        """JSON schemas of the action, the observation and the state."""
        return SchemaResponse(
            action=FiredrillAction.model_json_schema(),
            observation=FiredrillObservation.model_json_schema(),
            state=FiredrillState.model_json_schema(),
        )

    # --- The session's grade, render, leaderboard; the curriculum, metrics ---

    @app.get("/grade")
    async def grade(request: Request) -> JSONResponse:
        """The grade of the session's episode so far (``final_grade`` once over)."""
        environment = session_of(request)
        return JSONResponse(await _run(environment.env.grade))

    @app.get("/render")
    async def render(request: Request) -> PlainTextResponse:
        """The markdown incident dashboard of the session's episode."""
        environment = session_of(request)
        text = await _run(environment.env.render)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

    @app.get("/leaderboard")
    async def leaderboard(request: Request) -> JSONResponse:
        """The session's finished episodes ranked by score."""
        environment = session_of(request)
        return JSONResponse(
            {"session_id": environment.session_id, "entries": environment.leaderboard()}
        )

    @app.get("/curriculum")
    async def get_curriculum() -> JSONResponse:
        """The stages, easy to hard (``firedrill curriculum --json``)."""
        return JSONResponse(curriculum())

    @app.get("/metrics")
    async def metrics() -> PlainTextResponse:
        """The server's counters and every live session's telemetry (with a
        ``session_id`` label), in the exposition format 0.0.4."""
        live = sessions.live()
        with requests_lock:
            counted = sorted(requests.items())
        lines = [
            "# HELP firedrill_server_sessions Sessions open now, by transport.",
            "# TYPE firedrill_server_sessions gauge",
        ]
        for transport in ("http", "ws"):
            n = sum(1 for s in live if s.transport == transport)
            lines.append(f'firedrill_server_sessions{{transport="{transport}"}} {n}')
        lines += [
            "# HELP firedrill_server_sessions_max The most sessions at once.",
            "# TYPE firedrill_server_sessions_max gauge",
            f"firedrill_server_sessions_max {sessions.max_sessions}",
            "# HELP firedrill_server_sessions_total Sessions created, expired and evicted.",
            "# TYPE firedrill_server_sessions_total counter",
        ]
        for event in ("created_http", "created_ws", "expired", "evicted"):
            lines.append(f'firedrill_server_sessions_total{{event="{event}"}} {sessions.counts[event]}')
        lines += [
            "# HELP firedrill_server_requests_total HTTP requests, by method, route and status.",
            "# TYPE firedrill_server_requests_total counter",
        ]
        for (method, path, code), n in counted:
            lines.append(
                f'firedrill_server_requests_total{{method="{method}",route={json.dumps(path)},code="{code}"}} {n}'
            )
        lines.append(_merged_telemetry(live))
        return PlainTextResponse(
            "\n".join(lines).rstrip("\n") + "\n", media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    # --- The Prometheus HTTP API --------------------------------------------

    def prometheus_session(request: Request, session_id: Optional[str]) -> FiredrillEnvironment:
        try:
            return sessions.get(session_id if session_id is not None else request.headers.get(SESSION_HEADER))
        except HTTPError as e:
            raise PrometheusError(e.status, e.message, "not_found" if e.status == 404 else "bad_data") from None

    async def api_query(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        environment = prometheus_session(request, session_id)
        pairs = await _parameters(request)
        expr = _one(pairs, "query")
        if not expr:
            raise PrometheusError(400, 'invalid parameter "query": the query is required')
        at = _one(pairs, "time")
        time_s = parse_time(at, "time") if at else None
        return _prometheus_answer(await _query(environment.env.query, expr, time_s))

    async def api_query_range(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        environment = prometheus_session(request, session_id)
        pairs = await _parameters(request)
        expr = _one(pairs, "query")
        if not expr:
            raise PrometheusError(400, 'invalid parameter "query": the query is required')
        values = {}
        for name in ("start", "end", "step"):
            text = _one(pairs, name)
            if not text:
                raise PrometheusError(400, f'invalid parameter "{name}": {name} is required')
            values[name] = parse_duration(text, name) if name == "step" else parse_time(text, name)
        return _prometheus_answer(
            await _query(environment.env.query_range, expr, values["start"], values["end"], values["step"])
        )

    async def matched_series(
        environment: FiredrillEnvironment, pairs: List[Tuple[str, str]], required: bool
    ) -> Dict[str, Any]:
        matches = [v for k, v in pairs if k == "match[]"]
        if not matches:
            if required:
                raise PrometheusError(400, "no match[] parameter provided")
            matches = ['{__name__=~".+"}']
        first, last = _one(pairs, "start"), _one(pairs, "end")
        start = parse_time(first, "start") if first else -1e11
        end = parse_time(last, "end") if last else 1e11
        return await _query(environment.env.series, matches, start, end)

    async def api_series(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        environment = prometheus_session(request, session_id)
        pairs = await _parameters(request)
        return _prometheus_answer(await matched_series(environment, pairs, required=True))

    async def api_labels(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        environment = prometheus_session(request, session_id)
        pairs = await _parameters(request)
        answer = await matched_series(environment, pairs, required=False)
        if answer.get("status") == "success":
            answer["data"] = sorted({name for labels in answer["data"] for name in labels})
        return _prometheus_answer(answer)

    async def api_label_values(
        request: Request, name: str, session_id: Optional[str] = None
    ) -> JSONResponse:
        environment = prometheus_session(request, session_id)
        if not _LABEL_NAME.match(name):
            raise PrometheusError(400, f'invalid label name: "{name[:80]}"')
        pairs = await _parameters(request)
        answer = await matched_series(environment, pairs, required=False)
        if answer.get("status") == "success":
            answer["data"] = sorted({labels[name] for labels in answer["data"] if name in labels})
        return _prometheus_answer(answer)

    async def api_buildinfo(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        if session_id is not None:
            prometheus_session(request, session_id)
        return JSONResponse(
            {
                "status": "success",
                "data": {
                    "version": "2.45.0",
                    "revision": f"firedrill-{__version__}",
                    "branch": "firedrill",
                    "buildUser": "firedrill",
                    "buildDate": "",
                    "goVersion": "",
                },
            }
        )

    async def api_metadata(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        prometheus_session(request, session_id)
        return JSONResponse({"status": "success", "data": {}})

    async def api_exemplars(request: Request, session_id: Optional[str] = None) -> JSONResponse:
        prometheus_session(request, session_id)
        return JSONResponse({"status": "success", "data": []})

    api = [
        ("/query", api_query, ["GET", "POST"]),
        ("/query_range", api_query_range, ["GET", "POST"]),
        ("/series", api_series, ["GET", "POST"]),
        ("/labels", api_labels, ["GET", "POST"]),
        ("/label/{name}/values", api_label_values, ["GET"]),
        ("/status/buildinfo", api_buildinfo, ["GET"]),
        ("/metadata", api_metadata, ["GET"]),
        ("/query_exemplars", api_exemplars, ["GET", "POST"]),
    ]
    for path, handler, methods in api:
        app.add_api_route(f"/api/v1{path}", handler, methods=methods, tags=["Prometheus API"])
        app.add_api_route(
            f"/sessions/{{session_id}}/api/v1{path}", handler, methods=methods, tags=["Prometheus API"]
        )
    return app


async def _run(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Runs a blocking call of the core (which releases the GIL) off the
    event loop."""
    import asyncio

    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(function, *args, **kwargs))


async def _query(function: Any, *args: Any) -> Dict[str, Any]:
    """A query of the core; its refusals in Prometheus' error JSON."""
    try:
        return await _run(function, *args)
    except FiredrillError as e:
        if e.kind == "reset_needed":
            raise PrometheusError(
                400, f"{e}: the session has no episode yet (POST /reset first)"
            ) from None
        raise PrometheusError(400, str(e)) from None


def _serialized(observation: FiredrillObservation) -> Dict[str, Any]:
    """``{observation, reward, done}`` as OpenEnv's HTTP API returns it."""
    fields = observation.model_dump(exclude={"reward", "done", "metadata"})
    return {"observation": fields, "reward": observation.reward, "done": observation.done}


def _merged_telemetry(live: List[Session]) -> str:
    """Every session's telemetry, each sample with a ``session_id`` label,
    each family's HELP and TYPE once."""
    meta: Dict[str, List[str]] = {}
    samples: Dict[str, List[str]] = {}
    for session in live:
        sid = session.environment.session_id
        with session.environment.lock:
            text = session.environment.env.telemetry()
        family = None
        for line in text.splitlines():
            if line.startswith(("# HELP ", "# TYPE ")):
                family = line.split()[2]
                if line not in meta.setdefault(family, []):
                    meta[family].append(line)
                samples.setdefault(family, [])
            elif line and not line.startswith("#") and family is not None:
                name, _, rest = line.partition(" ")
                metric, brace, labels = name.partition("{")
                inner = f'session_id="{sid}",{labels}' if brace else f'session_id="{sid}"}}'
                samples[family].append(f"{metric}{{{inner} {rest}")
    return "\n".join(line for family in meta for line in meta[family] + samples[family])


def main(argv: Optional[List[str]] = None) -> None:
    """``python -m firedrill.server``: serves the app with uvicorn."""
    parser = argparse.ArgumentParser(
        prog="python -m firedrill.server",
        description="Serve Firedrill: OpenEnv over HTTP and WebSocket, and the Prometheus API of each session.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"sessions at once, HTTP and WebSocket (default {DEFAULT_MAX_SESSIONS})",
    )
    parser.add_argument(
        "--session-ttl",
        type=float,
        default=DEFAULT_SESSION_TTL_SECONDS,
        help=f"seconds an idle session lives (default {DEFAULT_SESSION_TTL_SECONDS:g})",
    )
    parser.add_argument("--log-level", default="warning", help="uvicorn's log level (default warning)")
    args = parser.parse_args(argv)
    if args.max_sessions < 1:
        parser.error("--max-sessions must be at least 1")
    if not args.session_ttl > 0:
        parser.error("--session-ttl must be positive")
    import uvicorn

    app = create_server(args.max_sessions, args.session_ttl)
    print(f"firedrill server on http://{args.host}:{args.port} (max {args.max_sessions} sessions, idle expiry {args.session_ttl:g} s)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()
