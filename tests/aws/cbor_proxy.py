#!/usr/bin/env python3
"""Test-only translator between Smithy RPCv2-CBOR and moto's AWS JSON 1.0 CloudWatch.

aws-sdk-cloudwatch (Rust) >= 1.100 speaks Smithy RPCv2-CBOR:

    POST /service/GraniteServiceVersion20100801/operation/<Operation>
    smithy-protocol: rpc-v2-cbor
    Content-Type: application/cbor            (CBOR body)

moto 5.2.5 serves CloudWatch over AWS JSON 1.0 only (and the query protocol):

    POST /
    X-Amz-Target: GraniteServiceVersion20100801.<Operation>
    Content-Type: application/x-amz-json-1.0  (JSON body)

This proxy sits in front of moto and translates each CBOR request to JSON 1.0
and each JSON response back to CBOR, directed by the operation's input and
output shapes in botocore's CloudWatch model (the model moto itself uses).
Anything else (boto3's JSON 1.0, query requests, /moto-api/...) is passed
through unchanged, so tests can seed data through the same port.

Fault injection, per AWS region (the region is read from the SigV4
Authorization header's credential scope), applies to CBOR requests only, so
seeding through the proxy is never affected:

    POST /__proxy/delay  {"region": "eu-west-2", "ms": 200}     ms 0 removes
    POST /__proxy/fail   {"region": "eu-west-2", "status": 503,
                          "code": "ServiceUnavailable",
                          "message": "optional", "count": N}     status 0 removes;
                                                                 count: only the next N requests
    POST /__proxy/reset  {}  or {"moto": true} (also resets moto's state)
    GET  /__proxy/stats  -> {"requests": {region: n}, "operations": {region: {op: n}},
                             "passthrough": {region: n}, "injected_failures": {region: n},
                             "delays": {...}, "failures": {...}}

Usage:
    cbor_proxy.py --upstream http://127.0.0.1:5000 [--port 0] [--verbose]

The first line on stdout is `listening 127.0.0.1:PORT`.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import gzip
import http.client
import http.server
import json
import math
import re
import socket
import sys
import threading
import time
import urllib.parse
import uuid
import zlib

import cbor2

SERVICE_NAME = "cloudwatch"
TARGET_PREFIX = "GraniteServiceVersion20100801"
ERROR_NAMESPACE = "com.amazonaws.cloudwatch"
DEFAULT_REGION = "us-east-1"  # what moto assumes when a request names none

RPC_PATH_RE = re.compile(r"^/service/(?P<service>[^/]+)/operation/(?P<operation>[^/?]+)/?$")
CREDENTIAL_RE = re.compile(r"Credential=[^/,\s]+/\d{8}/(?P<region>[^/,\s]+)/")

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)

# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------

_model_lock = threading.Lock()
_service_model = None


def service_model():
    """botocore's CloudWatch ServiceModel (loaded once)."""
    global _service_model
    with _model_lock:
        if _service_model is None:
            from botocore.loaders import Loader
            from botocore.model import ServiceModel

            raw = Loader().load_service_model(SERVICE_NAME, "service-2")
            _service_model = ServiceModel(raw, service_name=SERVICE_NAME)
        return _service_model


def operation_model(name: str):
    """The OperationModel for `name`, or None when the model has no such operation."""
    model = service_model()
    if name not in model.operation_names:
        return None
    return model.operation_model(name)


# ---------------------------------------------------------------------------
# Shape-directed conversion
# ---------------------------------------------------------------------------


def _epoch_seconds(value) -> float:
    """A timestamp in any form we may meet -> epoch seconds (float)."""
    if isinstance(value, cbor2.CBORTag):
        if value.tag == 1:
            return float(value.value)
        if value.tag == 0:
            return _epoch_seconds(value.value)
        raise ValueError(f"unexpected CBOR tag {value.tag} for a timestamp")
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return (value - _EPOCH).total_seconds()
    if isinstance(value, bool):
        raise ValueError("boolean is not a timestamp")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        parsed = _dt.datetime.fromisoformat(text)
        return _epoch_seconds(parsed)
    raise ValueError(f"cannot read {value!r} as a timestamp")


def _json_number(seconds: float):
    """Epoch seconds for JSON: an integer when whole, else a float."""
    if float(seconds).is_integer():
        return int(seconds)
    return round(seconds, 6)


def _to_json_double(value):
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _from_json_double(value) -> float:
    if isinstance(value, str):
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(value, value))
    return float(value)


def cbor_to_json(shape, value):
    """A decoded CBOR value of `shape` -> the value botocore/moto expect in AWS JSON 1.0."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ValueError(f"{shape.name}: expected a map, got {type(value).__name__}")
        out = {}
        for key, item in value.items():
            if item is None:  # CBOR null = member not set
                continue
            member = shape.members.get(key)
            out[key] = cbor_to_json(member, item) if member is not None else _plain_json(item)
        return out
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{shape.name}: expected an array, got {type(value).__name__}")
        return [cbor_to_json(shape.member, item) for item in value]
    if kind == "map":
        if not isinstance(value, dict):
            raise ValueError(f"{shape.name}: expected a map, got {type(value).__name__}")
        return {str(k): cbor_to_json(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        seconds = _epoch_seconds(value)
        fmt = shape.serialization.get("timestampFormat")
        if fmt == "iso8601":
            return (_EPOCH + _dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return _json_number(seconds)
    if kind == "blob":
        if isinstance(value, str):
            value = value.encode()
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind in ("double", "float"):
        return _to_json_double(value)
    if kind in ("integer", "long", "short", "byte"):
        return int(value)
    if kind == "boolean":
        return bool(value)
    return _plain_json(value)


def _plain_json(value):
    """Best effort for values outside the model (unknown members, documents)."""
    if isinstance(value, cbor2.CBORTag):
        if value.tag == 1:
            return _json_number(float(value.value))
        return _plain_json(value.value)
    if isinstance(value, _dt.datetime):
        return _json_number(_epoch_seconds(value))
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_json(v) for v in value]
    return value


def cbor_timestamp(seconds: float) -> cbor2.CBORTag:
    """RPCv2-CBOR timestamp: tag 1 around a float64 (aws-smithy-cbor decodes it with f64())."""
    return cbor2.CBORTag(1, float(seconds))


def json_to_cbor(shape, value):
    """A value of `shape` from an AWS JSON 1.0 response -> the value to CBOR-encode."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise ValueError(f"{shape.name}: expected an object, got {type(value).__name__}")
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            member = shape.members.get(key)
            if member is None:
                continue  # not in the model: a client would skip it anyway
            out[key] = json_to_cbor(member, item)
        return out
    if kind == "list":
        return [json_to_cbor(shape.member, item) for item in value]
    if kind == "map":
        return {str(k): json_to_cbor(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return cbor_timestamp(_epoch_seconds(value))
    if kind == "blob":
        if isinstance(value, str):
            return base64.b64decode(value)
        return bytes(value)
    if kind in ("double", "float"):
        return _from_json_double(value)
    if kind in ("integer", "long", "short", "byte"):
        return int(value)
    if kind == "boolean":
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)
    return value


def decode_cbor_body(body: bytes):
    """A request body -> Python value; an empty body is an empty structure."""
    if not body:
        return {}
    return cbor2.loads(body)


def encode_cbor(value) -> bytes:
    return cbor2.dumps(value)


def error_shape_id(code: str) -> str:
    """`Code`, `Namespace#Code` or `...#Code:url` -> `com.amazonaws.cloudwatch#Code`."""
    code = code.split(":", 1)[0]
    if "#" in code:
        code = code.rsplit("#", 1)[1]
    return f"{ERROR_NAMESPACE}#{code}"


def cbor_error_body(code: str, message: str) -> bytes:
    return encode_cbor({"__type": error_shape_id(code), "message": message})


def region_of(headers) -> str:
    auth = headers.get("Authorization") or ""
    match = CREDENTIAL_RE.search(auth)
    if match:
        return match.group("region")
    return DEFAULT_REGION


# ---------------------------------------------------------------------------
# Shared state: fault injection and counters
# ---------------------------------------------------------------------------


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.delays: dict[str, int] = {}
            self.failures: dict[str, dict] = {}
            self.requests: dict[str, int] = {}
            self.operations: dict[str, dict[str, int]] = {}
            self.passthrough: dict[str, int] = {}
            self.injected: dict[str, int] = {}

    def count_rpc(self, region: str, operation: str):
        """Counts a CBOR request; returns (delay_ms, failure or None) to apply to it."""
        with self.lock:
            self.requests[region] = self.requests.get(region, 0) + 1
            ops = self.operations.setdefault(region, {})
            ops[operation] = ops.get(operation, 0) + 1
            delay = self.delays.get(region, 0)
            failure = self.failures.get(region)
            if failure is not None:
                self.injected[region] = self.injected.get(region, 0) + 1
                if failure.get("count") is not None:
                    failure["count"] -= 1
                    if failure["count"] <= 0:
                        del self.failures[region]
                failure = dict(failure)
            return delay, failure

    def count_passthrough(self, region: str):
        with self.lock:
            self.passthrough[region] = self.passthrough.get(region, 0) + 1

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "requests": dict(self.requests),
                "operations": {r: dict(o) for r, o in self.operations.items()},
                "passthrough": dict(self.passthrough),
                "injected_failures": dict(self.injected),
                "delays": dict(self.delays),
                "failures": {r: dict(f) for r, f in self.failures.items()},
            }


# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------


class Upstream:
    def __init__(self, url: str, timeout: float):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"--upstream must be http://HOST:PORT, got {url!r}")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.timeout = timeout

    def request(self, method: str, path: str, headers: dict, body: bytes):
        """One request on a fresh connection (moto answers with Connection: close)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.getheaders(), data
        finally:
            conn.close()


class ProxyServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, upstream: Upstream, verbose: bool):
        self.upstream = upstream
        self.verbose = verbose
        self.state = State()
        super().__init__(address, Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "runbook-cbor-proxy/1"
    sys_version = ""

    def version_string(self):
        return self.server_version
    server: ProxyServer

    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    # quiet by default; one line per request with --verbose (see _log)
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        if self.server.verbose:
            sys.stderr.write("cbor_proxy: " + (format % args) + "\n")

    def log_request(self, code="-", size="-"):
        pass

    def _log(self, text: str):
        if self.server.verbose:
            sys.stderr.write(f"cbor_proxy: {text}\n")
            sys.stderr.flush()

    # -- bodies ---------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, payload):
        self._send(status, [("Content-Type", "application/json")], json.dumps(payload).encode())

    def _send_cbor_error(self, status: int, code: str, message: str, request_id: str | None = None):
        fault = "Receiver" if status >= 500 else "Sender"
        code_only = error_shape_id(code).rsplit("#", 1)[1]
        headers = [
            ("Content-Type", "application/cbor"),
            ("smithy-protocol", "rpc-v2-cbor"),
            ("x-amzn-query-error", f"{code_only};{fault}"),
            ("x-amzn-requestid", request_id or str(uuid.uuid4())),
        ]
        self._send(status, headers, cbor_error_body(code, message))

    # -- dispatch -------------------------------------------------------------

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self):
        started = time.monotonic()
        try:
            body = self._read_body()
        except (ValueError, OSError) as err:
            self.close_connection = True
            self._send_json(400, {"error": f"cannot read request body: {err}"})
            return
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/__proxy/"):
            self._control(path, body)
            return
        match = RPC_PATH_RE.match(path)
        if match and self.command == "POST":
            self._rpc(match.group("operation"), body, started)
        else:
            self._passthrough(body, started)

    # -- control endpoint -----------------------------------------------------

    def _control(self, path: str, body: bytes):
        state = self.server.state
        name = path[len("/__proxy/"):].strip("/")
        try:
            args = json.loads(body) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("body must be a JSON object")
        except ValueError as err:
            self._send_json(400, {"error": f"invalid JSON: {err}"})
            return
        try:
            if name == "stats" and self.command == "GET":
                self._send_json(200, state.snapshot())
            elif name == "delay" and self.command == "POST":
                region = _require_str(args, "region")
                ms = int(args.get("ms", 0))
                if ms < 0:
                    raise ValueError("ms must be >= 0")
                with state.lock:
                    if ms == 0:
                        state.delays.pop(region, None)
                    else:
                        state.delays[region] = ms
                self._send_json(200, {"ok": True, "delays": state.snapshot()["delays"]})
            elif name == "fail" and self.command == "POST":
                region = _require_str(args, "region")
                status = int(args.get("status", 0))
                with state.lock:
                    if status == 0:
                        state.failures.pop(region, None)
                    else:
                        if not 400 <= status <= 599:
                            raise ValueError("status must be 0 or 400..599")
                        code = str(args.get("code") or ("ServiceUnavailable" if status >= 500 else "ValidationError"))
                        failure = {
                            "status": status,
                            "code": code,
                            "message": str(args.get("message") or f"injected by cbor_proxy: {code}"),
                        }
                        if args.get("count") is not None:
                            count = int(args["count"])
                            if count < 1:
                                raise ValueError("count must be >= 1")
                            failure["count"] = count
                        state.failures[region] = failure
                self._send_json(200, {"ok": True, "failures": state.snapshot()["failures"]})
            elif name == "reset" and self.command == "POST":
                state.reset()
                if args.get("moto"):
                    status, _, data = self.server.upstream.request("POST", "/moto-api/reset", {}, b"")
                    if status != 200:
                        raise RuntimeError(f"moto reset failed: HTTP {status} {data[:200]!r}")
                self._send_json(200, {"ok": True})
            else:
                self._send_json(404, {"error": f"unknown control request {self.command} {path}"})
        except (ValueError, TypeError, KeyError) as err:
            self._send_json(400, {"error": str(err)})
        except (OSError, RuntimeError) as err:
            self._send_json(502, {"error": str(err)})

    # -- plain requests -------------------------------------------------------

    def _forward_headers(self) -> dict:
        return {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}

    def _passthrough(self, body: bytes, started: float):
        region = region_of(self.headers)
        self.server.state.count_passthrough(region)
        try:
            status, headers, data = self.server.upstream.request(
                self.command, self.path, self._forward_headers(), body
            )
        except OSError as err:
            self._send_json(502, {"error": f"upstream unreachable: {err}"})
            self._log(f"{region} {self.command} {self.path} -> 502 upstream: {err}")
            return
        out = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]
        self._send(status, out, data)
        target = self.headers.get("X-Amz-Target") or self.path
        self._log(f"{region} pass {target} -> {status} {(time.monotonic() - started) * 1000:.0f}ms")

    # -- RPCv2-CBOR -----------------------------------------------------------

    def _rpc(self, operation: str, body: bytes, started: float):
        region = region_of(self.headers)
        delay_ms, failure = self.server.state.count_rpc(region, operation)
        status = self._rpc_inner(operation, body, delay_ms, failure)
        self._log(
            f"{region} cbor {operation} -> {status} {(time.monotonic() - started) * 1000:.0f}ms"
            + (f" (delay {delay_ms}ms)" if delay_ms else "")
            + (" (injected)" if failure else "")
            + (f" ({self.headers['Content-Encoding']})" if self.headers.get("Content-Encoding") else "")
        )

    def _rpc_inner(self, operation: str, body: bytes, delay_ms: int, failure) -> int:
        if delay_ms:
            time.sleep(delay_ms / 1000.0)
        if failure is not None:
            self._send_cbor_error(failure["status"], failure["code"], failure["message"])
            return failure["status"]

        op = operation_model(operation)
        if op is None:
            self._send_cbor_error(404, "UnknownOperationException", f"operation {operation} is not in the CloudWatch model")
            return 404

        encoding = (self.headers.get("Content-Encoding") or "").lower().strip()
        try:
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            value = decode_cbor_body(body)
            params = cbor_to_json(op.input_shape, value) if op.input_shape is not None else {}
            json_body = json.dumps(params, allow_nan=False).encode()
        except Exception as err:  # noqa: BLE001 - any decode problem is the client's
            self._send_cbor_error(400, "SerializationException", f"cannot translate {operation} request: {err}")
            return 400

        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"{TARGET_PREFIX}.{operation}",
            "Accept": "application/json",
        }
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "User-Agent", "amz-sdk-invocation-id"):
            if self.headers.get(name):
                headers[name] = self.headers[name]
        try:
            status, up_headers, data = self.server.upstream.request("POST", "/", headers, json_body)
        except OSError as err:
            self._send_cbor_error(502, "BadGateway", f"upstream unreachable: {err}")
            return 502
        up = {k.lower(): v for k, v in up_headers}
        request_id = up.get("x-amzn-requestid") or str(uuid.uuid4())

        if status >= 300:
            code, message = _upstream_error(status, up, data)
            self._send_cbor_error(status, code, message, request_id)
            return status

        try:
            parsed = json.loads(data) if data.strip() else {}
            if op.output_shape is None:
                out_body = b""
            else:
                out_body = encode_cbor(json_to_cbor(op.output_shape, parsed))
        except Exception as err:  # noqa: BLE001
            self._send_cbor_error(500, "InternalFailure", f"cannot translate {operation} response: {err}; body {data[:300]!r}", request_id)
            return 500
        self._send(
            status,
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("x-amzn-requestid", request_id),
            ],
            out_body,
        )
        return status


def _require_str(args: dict, key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key!r} (a non-empty string) is required")
    return value


def _upstream_error(status: int, headers: dict, data: bytes) -> tuple[str, str]:
    """(code, message) from a moto JSON 1.0 error (or whatever else it answered)."""
    code = None
    message = None
    try:
        parsed = json.loads(data) if data.strip() else {}
        if isinstance(parsed, dict):
            code = parsed.get("__type") or parsed.get("code") or parsed.get("Code")
            message = parsed.get("message") or parsed.get("Message")
    except ValueError:
        parsed = None
    query_error = headers.get("x-amzn-query-error")
    if query_error and ";" in query_error:
        code = query_error.split(";", 1)[0]
    if not code and headers.get("x-amzn-errortype"):
        code = headers["x-amzn-errortype"]
    if not code:
        code = "InternalFailure" if status >= 500 else "UnknownError"
        text = data.decode("utf-8", "replace")
        text = re.sub(r"<[^>]+>", " ", text)
        text = " ".join(text.split())
        message = message or f"upstream answered HTTP {status}: {text[:300]}"
    return str(code), str(message or "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Translate Smithy RPCv2-CBOR CloudWatch requests to moto's AWS JSON 1.0 (test only)."
    )
    parser.add_argument("--upstream", required=True, help="moto server URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = pick a free one)")
    parser.add_argument("--upstream-timeout", type=float, default=30.0, help="seconds per upstream request")
    parser.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = parser.parse_args(argv)

    try:
        upstream = Upstream(args.upstream, args.upstream_timeout)
    except ValueError as err:
        parser.error(str(err))
    service_model()  # load before reporting ready
    server = ProxyServer(("127.0.0.1", args.port), upstream, args.verbose)
    host, port = server.server_address[:2]
    sys.stdout.write(f"listening {host}:{port}\n")
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
