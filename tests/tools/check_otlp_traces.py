#!/usr/bin/env python3
"""Strict offline validator for OTLP/JSON trace exports (ExportTraceServiceRequest).

Usage:  check_otlp_traces.py [--lenient] [--no-policy] [--quiet] FILE...
        (each FILE may hold one JSON document, or JSON Lines: one request per
         line, as written by the Collector's file exporter / read by otlpjsonfile;
         many files are checked in one run, each reported on its own.)

Exit status: 0 all valid, 1 some invalid, 2 usage / I/O / missing dependency.

Modelled on ../shared/tools/check_otlp_logs.py (same layers 1 and 2, against
the trace service's descriptors instead of the logs service's).

Three layers, all must pass:
  1. OTLP/JSON rules, walked against the real protobuf descriptors from the
     `opentelemetry-proto` package: lowerCamelCase keys only, no unknown keys,
     enums as integers only and within the enum, traceId/spanId as hex of the
     right length, 64-bit ints as decimal strings (numbers only with
     --lenient), no floats/exponents in integer fields, unique attribute keys.
  2. google.protobuf.json_format.Parse into ExportTraceServiceRequest (after
     converting the hex ids to base64, which is what protobuf's JSON mapping
     expects) -- the reference protobuf JSON parser.
  3. Policy checks for a product export (skip with --no-policy): resource has
     a non-empty service.name, no empty envelopes, every span has a traceId and
     spanId, a name and a kind (not UNSPECIFIED), start and end timestamps set,
     in a plausible nanosecond range and end >= start; span ids are unique
     within their trace, every parentSpanId names a span of the same trace in
     the request, each trace has exactly one root, a child starts no earlier
     than its parent; status.code is UNSET, OK or ERROR and a message only
     comes with ERROR.
"""
import base64
import binascii
import json
import re
import sys

try:
    from google.protobuf import json_format
    from google.protobuf.descriptor import FieldDescriptor as FD
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
except ImportError as e:  # pragma: no cover
    print(f"ERROR: missing dependency ({e}); pip install opentelemetry-proto protobuf", file=sys.stderr)
    sys.exit(2)

INT64_TYPES = {FD.TYPE_INT64, FD.TYPE_SINT64, FD.TYPE_SFIXED64}
UINT64_TYPES = {FD.TYPE_UINT64, FD.TYPE_FIXED64}
INT32_TYPES = {FD.TYPE_INT32, FD.TYPE_SINT32, FD.TYPE_SFIXED32}
UINT32_TYPES = {FD.TYPE_UINT32, FD.TYPE_FIXED32}
HEX_ID_LEN = {"trace_id": 32, "span_id": 16, "parent_span_id": 16}  # hex chars
NS_MIN = 946684800 * 10**9    # 2000-01-01T00:00:00Z
NS_MAX = 4102444800 * 10**9   # 2100-01-01T00:00:00Z


def is_repeated(f):
    r = getattr(f, "is_repeated", None)
    return r if r is not None else f.label == FD.LABEL_REPEATED


def jtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "non-integer number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def _where_fields_live():
    """json_name -> set of message names that define it (for 'wrong nesting' hints)."""
    out, seen, todo = {}, set(), [ExportTraceServiceRequest.DESCRIPTOR]
    while todo:
        d = todo.pop()
        if d.full_name in seen:
            continue
        seen.add(d.full_name)
        for f in d.fields:
            out.setdefault(f.json_name, set()).add(d.name)
            if f.message_type is not None:
                todo.append(f.message_type)
    return out


FIELD_HOME = _where_fields_live()


class Checker:
    def __init__(self, lenient=False):
        self.lenient = lenient
        self.errors, self.warnings = [], []

    def err(self, path, msg):
        self.errors.append(f"{path}: {msg}")

    def warn(self, path, msg):
        self.warnings.append(f"{path}: {msg}")

    def soft(self, path, msg):  # error normally, warning with --lenient
        (self.warn if self.lenient else self.err)(path, msg)

    # ---- layer 1: strict OTLP/JSON walk ---------------------------------
    def message(self, desc, obj, path):
        if not isinstance(obj, dict):
            self.err(path, f"expected a JSON object ({desc.name}), got {jtype(obj)}")
            return
        by_json = {f.json_name: f for f in desc.fields}
        by_name = {f.name: f for f in desc.fields}
        oneof_set = {}
        for key, val in obj.items():
            p = f"{path}.{key}" if path and not path.endswith(" ") else f"{path}{key}"
            f = by_json.get(key)
            if f is None:
                if key in by_name:
                    self.err(p, f"original proto field name used; OTLP/JSON requires lowerCamelCase "
                                f"key '{by_name[key].json_name}'")
                else:
                    homes = FIELD_HOME.get(key)
                    hint = (f" (wrong nesting? '{key}' belongs in {', '.join(sorted(homes))})"
                            if homes else "")
                    self.soft(p, f"unknown field '{key}' in {desc.name}{hint}; allowed: "
                                 f"{', '.join(sorted(by_json))}")
                continue
            if val is None:
                self.warn(p, "null value (protobuf treats it as unset); omit the key instead")
                continue
            if f.containing_oneof is not None:
                o = f.containing_oneof.name
                if o in oneof_set:
                    self.err(p, f"oneof '{o}' already set by '{oneof_set[o]}'; only one of "
                                f"{', '.join(x.json_name for x in f.containing_oneof.fields)} may be present")
                oneof_set[o] = key
            if is_repeated(f):
                if not isinstance(val, list):
                    self.err(p, f"repeated field must be a JSON array, got {jtype(val)}")
                    continue
                for i, item in enumerate(val):
                    self.value(f, item, f"{p}[{i}]")
                if f.message_type is not None and f.message_type.full_name == "opentelemetry.proto.common.v1.KeyValue":
                    self.unique_keys(val, p)
            else:
                self.value(f, val, p)

    def unique_keys(self, kvs, path):
        seen = {}
        for i, kv in enumerate(kvs):
            if not isinstance(kv, dict):
                continue
            k = kv.get("key")
            if not isinstance(k, str) or k == "":
                self.err(f"{path}[{i}].key", "attribute key must be a non-empty string")
                continue
            if k in seen:
                self.err(f"{path}[{i}].key", f"duplicate attribute key '{k}' (also at index {seen[k]}); keys MUST be unique")
            seen[k] = i

    def value(self, f, v, p):
        t = f.type
        if v is None:
            self.warn(p, "null element")
            return
        if t == FD.TYPE_MESSAGE:
            self.message(f.message_type, v, p)
        elif t == FD.TYPE_ENUM:
            e = f.enum_type
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                self.err(p, f"{e.name} must be a JSON integer, got {jtype(v)} {json.dumps(v)}")
            elif isinstance(v, str):
                if v in e.values_by_name:
                    self.err(p, f"enum name string {json.dumps(v)} MUST NOT be used in OTLP/JSON; "
                                f"use the integer {e.values_by_name[v].number}")
                else:
                    self.err(p, f"{json.dumps(v)} is not a valid {e.name}: OTLP/JSON enums are integers "
                                f"({min(e.values_by_number)}..{max(e.values_by_number)})")
            elif v not in e.values_by_number:
                self.err(p, f"{v} is not a defined {e.name} value "
                            f"({min(e.values_by_number)}..{max(e.values_by_number)})")
        elif t == FD.TYPE_BYTES:
            if not isinstance(v, str):
                self.err(p, f"bytes field must be a string, got {jtype(v)}")
            elif f.name in HEX_ID_LEN:
                n = HEX_ID_LEN[f.name]
                if v == "":
                    return  # empty == unset
                if not re.fullmatch(r"[0-9a-fA-F]*", v):
                    hint = " (looks like base64; OTLP/JSON uses hex, not protobuf's base64)" \
                        if re.fullmatch(r"[A-Za-z0-9+/_-]+=*", v) else ""
                    self.err(p, f"{f.json_name} {json.dumps(v)} is not hex{hint}")
                elif len(v) != n:
                    self.err(p, f"{f.json_name} must be {n} hex chars ({n // 2} bytes), got {len(v)}")
                elif set(v) == {"0"}:
                    self.err(p, f"{f.json_name} is all zeros (invalid id); omit it instead")
            else:
                try:
                    s = v.replace("-", "+").replace("_", "/")
                    base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
                except (binascii.Error, ValueError):
                    self.err(p, "bytes value is not valid base64")
        elif t in INT64_TYPES | UINT64_TYPES | INT32_TYPES | UINT32_TYPES:
            is64 = t in INT64_TYPES | UINT64_TYPES
            signed = t in INT64_TYPES | INT32_TYPES
            bits = 64 if is64 else 32
            lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
            if isinstance(v, bool) or not isinstance(v, (int, str)):
                self.err(p, f"expected an integer{' as a decimal string' if is64 else ''}, "
                            f"got {jtype(v)} {json.dumps(v)}")
                return
            if isinstance(v, str):
                if not re.fullmatch(r"-?(0|[1-9][0-9]*)", v):
                    self.err(p, f"{json.dumps(v)} is not a decimal integer string")
                    return
                if not is64:
                    self.warn(p, "32-bit integer given as a string; a JSON number is expected")
                n = int(v)
            else:
                n = v
                if is64:
                    self.soft(p, f"64-bit integer written as a JSON number ({v}); OTLP/JSON encodes "
                                 f"64-bit ints as decimal strings (\"{v}\"). Numbers > 2^53 lose precision "
                                 f"in JavaScript and some receivers (e.g. rotel) reject them")
            if not lo <= n <= hi:
                self.err(p, f"{n} out of range for {'u' if not signed else ''}int{bits}")
        elif t in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
            if isinstance(v, bool) or not (isinstance(v, (int, float)) or v in ("NaN", "Infinity", "-Infinity")):
                self.err(p, f"expected a JSON number, got {jtype(v)} {json.dumps(v)}")
        elif t == FD.TYPE_BOOL:
            if not isinstance(v, bool):
                self.err(p, f"expected true/false, got {jtype(v)} {json.dumps(v)}")
        elif t == FD.TYPE_STRING:
            if not isinstance(v, str):
                self.err(p, f"expected a string, got {jtype(v)} {json.dumps(v)}")
            else:
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    self.err(p, "string is not valid UTF-8 (lone surrogate escape)")

    # ---- layer 2: reference protobuf parser ------------------------------
    def to_protojson(self, desc, obj):
        """Copy of obj with hex trace/span ids converted to base64 for json_format."""
        if not isinstance(obj, dict):
            return obj
        out = {}
        fields = {f.json_name: f for f in desc.fields}
        for k, v in obj.items():
            f = fields.get(k)
            if f is None:
                out[k] = v
            elif f.type == FD.TYPE_BYTES and f.name in HEX_ID_LEN and isinstance(v, str):
                out[k] = base64.b64encode(bytes.fromhex(v)).decode()
            elif f.message_type is not None:
                out[k] = [self.to_protojson(f.message_type, x) for x in v] if isinstance(v, list) \
                    else self.to_protojson(f.message_type, v)
            else:
                out[k] = v
        return out

    # ---- layer 3: policy ---------------------------------------------------
    def policy(self, req, prefix):
        nspans = 0
        if not req.resource_spans:
            self.err(prefix or "$", "no resourceSpans: the export contains no spans")
        spans = []  # (path, span)
        for i, rs in enumerate(req.resource_spans):
            rp = f"{prefix}resourceSpans[{i}]"
            svc = [kv for kv in rs.resource.attributes if kv.key == "service.name"]
            if not svc:
                self.err(f"{rp}.resource.attributes", "missing 'service.name' resource attribute")
            elif svc[0].value.WhichOneof("value") != "string_value" or not svc[0].value.string_value:
                self.err(f"{rp}.resource.attributes", "'service.name' must be a non-empty stringValue")
            if not rs.scope_spans:
                self.err(rp, "empty envelope: no scopeSpans (senders SHOULD NOT send empty envelopes)")
            for j, ss in enumerate(rs.scope_spans):
                sp = f"{rp}.scopeSpans[{j}]"
                if not ss.spans:
                    self.err(sp, "empty envelope: no spans (senders SHOULD NOT send empty envelopes)")
                for k, span in enumerate(ss.spans):
                    nspans += 1
                    path = f"{sp}.spans[{k}]"
                    self.policy_span(span, path)
                    spans.append((path, span))
        self.policy_traces(spans)
        return nspans

    def policy_span(self, span, sp):
        if not span.trace_id:
            self.err(f"{sp}.traceId", "missing (a span needs its 16-byte trace id)")
        if not span.span_id:
            self.err(f"{sp}.spanId", "missing (a span needs its 8-byte span id)")
        if not span.name:
            self.err(f"{sp}.name", "empty span name")
        if span.kind == 0:
            self.err(f"{sp}.kind", "SPAN_KIND_UNSPECIFIED (0); use 1..5 (e.g. 2=SERVER, 3=CLIENT)")
        for name, ts in (("startTimeUnixNano", span.start_time_unix_nano),
                         ("endTimeUnixNano", span.end_time_unix_nano)):
            if ts == 0:
                self.err(f"{sp}.{name}", "not set")
            elif not NS_MIN <= ts <= NS_MAX:
                unit = ("seconds" if ts < 10**11 else "milliseconds" if ts < 10**14 else
                        "microseconds" if ts < 10**17 else "nanoseconds")
                self.err(f"{sp}.{name}", f"{ts} is outside 2000..2100 in Unix nanoseconds "
                                         f"(looks like {unit})")
        if span.end_time_unix_nano < span.start_time_unix_nano:
            self.err(f"{sp}.endTimeUnixNano", "before startTimeUnixNano")
        if span.status.code not in (0, 1, 2):
            self.err(f"{sp}.status.code", f"{span.status.code} is not UNSET (0), OK (1) or ERROR (2)")
        if span.status.message and span.status.code != 2:
            self.warn(f"{sp}.status.message", "a status message SHOULD only be set with ERROR")

    def policy_traces(self, spans):
        traces = {}
        for path, span in spans:
            if span.trace_id and span.span_id:
                traces.setdefault(span.trace_id, []).append((path, span))
        for trace_id, members in traces.items():
            by_id = {}
            for path, span in members:
                if span.span_id in by_id:
                    self.err(f"{path}.spanId", f"span id {span.span_id.hex()} repeats in trace "
                                               f"{trace_id.hex()} (also at {by_id[span.span_id][0]})")
                by_id[span.span_id] = (path, span)
            roots = [path for path, span in members if not span.parent_span_id]
            if len(roots) != 1:
                self.err(members[0][0], f"trace {trace_id.hex()} has {len(roots)} root spans "
                                        f"({', '.join(roots) or 'none'}); expected exactly one")
            for path, span in members:
                if not span.parent_span_id:
                    continue
                parent = by_id.get(span.parent_span_id)
                if parent is None:
                    self.err(f"{path}.parentSpanId", f"{span.parent_span_id.hex()} is no span of trace "
                                                     f"{trace_id.hex()} in this request")
                elif span.start_time_unix_nano < parent[1].start_time_unix_nano:
                    self.err(f"{path}.startTimeUnixNano", f"starts before its parent ({parent[0]})")

    # ---- one request -----------------------------------------------------
    def check_request(self, obj, prefix, policy=True):
        before = len(self.errors)
        if not isinstance(obj, dict):
            self.err(prefix or "$", f"top level must be a JSON object with 'resourceSpans', got {jtype(obj)}")
            return 0
        if "resourceSpans" not in obj:
            self.err(prefix or "$", "no 'resourceSpans' key at top level (is this an ExportTraceServiceRequest?)")
        self.message(ExportTraceServiceRequest.DESCRIPTOR, obj, prefix)
        if len(self.errors) > before:
            return 0
        try:
            req = json_format.Parse(json.dumps(self.to_protojson(ExportTraceServiceRequest.DESCRIPTOR, obj)),
                                    ExportTraceServiceRequest(), ignore_unknown_fields=self.lenient)
        except json_format.ParseError as e:
            self.err(prefix or "$", f"protobuf json_format rejected it: {e}")
            return 0
        return self.policy(req, prefix) if policy else sum(
            len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)


def _no_dupes(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key '{k}'")
        d[k] = v
    return d


def _bad_const(c):
    raise ValueError(f"{c} is not valid JSON")


def load_docs(text):
    """Return [(prefix, obj)]: one JSON document, or JSON Lines."""
    kw = dict(object_pairs_hook=_no_dupes, parse_constant=_bad_const)
    try:
        return [("", json.loads(text, **kw))]
    except json.JSONDecodeError as e:
        if not e.msg.startswith("Extra data"):
            raise
    docs = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                docs.append((f"line {n}: ", json.loads(line, **kw)))
            except (json.JSONDecodeError, ValueError) as e:
                raise ValueError(f"line {n}: not valid JSON ({e})")
    return docs


def check_file(path, flags):
    """Checks one file; returns 0 valid, 1 invalid, 2 unreadable (and prints why)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        text = raw.decode("utf-8")
    except OSError as e:
        print(f"ERROR: cannot read {path}: {e}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as e:
        print(f"INVALID: {path}\n  - file is not UTF-8: {e}")
        return 1
    c = Checker(lenient="--lenient" in flags)
    try:
        docs = load_docs(text.lstrip("\ufeff"))
    except (json.JSONDecodeError, ValueError) as e:
        print(f"INVALID: {path}\n  - not valid JSON: {e}")
        return 1
    nspans = 0
    for prefix, obj in docs:
        nspans += c.check_request(obj, prefix, policy="--no-policy" not in flags)
    if "--quiet" not in flags:
        for w in c.warnings:
            print(f"  warning: {w}")
    if c.errors:
        print(f"INVALID: {path} ({len(c.errors)} error(s))")
        for e in c.errors[:50]:
            print(f"  - {e}")
        if len(c.errors) > 50:
            print(f"  - ... and {len(c.errors) - 50} more")
        return 1
    if "--quiet" not in flags:
        print(f"OK: {path}: {len(docs)} request(s), {nspans} span(s) "
              f"[OTLP/JSON strict{' (lenient)' if c.lenient else ''}, protobuf json_format"
              f"{'' if '--no-policy' in flags else ', policy'}]")
    return 0


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    unknown = flags - {"--lenient", "--no-policy", "--quiet", "--help"}
    if "--help" in flags or not args or unknown:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    worst = 0
    for path in args:
        worst = max(worst, check_file(path, flags))
    if "--quiet" in flags and worst == 0:
        print(f"OK: {len(args)} file(s)")
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
