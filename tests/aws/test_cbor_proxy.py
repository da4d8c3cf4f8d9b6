"""Tests for tests/aws/cbor_proxy.py and tests/aws/seed.py (stdlib unittest).

Run: .venv/bin/python -m unittest discover -s tests/aws -p 'test_*.py'
Needs moto[server] and cbor2 in the interpreter running the tests; moto_server
is found next to that interpreter (or via RUNBOOK_TEST_MOTO).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

import cbor2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cbor_proxy  # noqa: E402

STARTUP_TIMEOUT = 20.0
HTTP_TIMEOUT = 10.0
TARGET = "GraniteServiceVersion20100801"


def _moto_server_path() -> str:
    env = os.environ.get("RUNBOOK_TEST_MOTO")
    if env:
        return env
    candidate = Path(sys.executable).parent / "moto_server"
    if candidate.exists():
        return str(candidate)
    raise RuntimeError("moto_server not found next to the Python running the tests; set RUNBOOK_TEST_MOTO")


def _read_line_matching(stream, pattern: re.Pattern, timeout: float, what: str):
    """Reads lines from `stream` in a thread until one matches; returns the match."""
    found: list = []
    seen: list[str] = []

    def reader():
        for line in iter(stream.readline, ""):
            seen.append(line)
            match = pattern.search(line)
            if match:
                found.append(match)
                break

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    if not found:
        raise RuntimeError(f"{what} did not report its port within {timeout}s; output: {''.join(seen)[-2000:]!r}")
    return found[0]


def _drain(stream):
    threading.Thread(target=lambda: [None for _ in iter(stream.readline, "")], daemon=True).start()


class Servers:
    """moto_server and cbor_proxy.py on free ports; stop() kills both."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        try:
            moto = subprocess.Popen(
                [_moto_server_path(), "-H", "127.0.0.1", "-p", "0"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            self.procs.append(moto)
            match = _read_line_matching(
                moto.stderr, re.compile(r"Running on http://127\.0\.0\.1:(\d+)"), STARTUP_TIMEOUT, "moto_server"
            )
            _drain(moto.stderr)
            self.moto_url = f"http://127.0.0.1:{match.group(1)}"
            proxy = subprocess.Popen(
                [sys.executable, str(HERE / "cbor_proxy.py"), "--upstream", self.moto_url, "--port", "0"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            self.procs.append(proxy)
            match = _read_line_matching(
                proxy.stdout, re.compile(r"^listening 127\.0\.0\.1:(\d+)$"), STARTUP_TIMEOUT, "cbor_proxy.py"
            )
            _drain(proxy.stdout)
            _drain(proxy.stderr)
            self.url = f"http://127.0.0.1:{match.group(1)}"
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
        self.procs.clear()


def auth_header(region: str) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential=testing/20261122/{region}/monitoring/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0000"
    )


class ProxyTestCase(unittest.TestCase):
    servers: Servers

    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()

    def setUp(self):
        self.control("reset", {"moto": True})

    # -- helpers ---------------------------------------------------------------

    def http(self, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
        req = urllib.request.Request(self.servers.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()

    def rpc(self, operation, params, region="eu-west-2"):
        status, headers, body = self.http(
            "POST",
            f"/service/{TARGET}/operation/{operation}",
            cbor2.dumps(params),
            {
                "smithy-protocol": "rpc-v2-cbor",
                "Content-Type": "application/cbor",
                "Accept": "application/cbor",
                "X-Amz-Date": "20261122T000000Z",
                "Authorization": auth_header(region),
            },
        )
        if status < 300:
            self.assertEqual(headers.get("smithy-protocol"), "rpc-v2-cbor")
        if body:
            self.assertEqual(headers.get("content-type"), "application/cbor")
        return status, headers, (cbor2.loads(body) if body else None)

    def json10(self, operation, params, region="eu-west-2"):
        status, headers, body = self.http(
            "POST",
            "/",
            json.dumps(params).encode(),
            {
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": f"{TARGET}.{operation}",
                "Authorization": auth_header(region),
            },
        )
        return status, headers, (json.loads(body) if body.strip() else None)

    def control(self, name, payload=None):
        if payload is None:
            status, _, body = self.http("GET", f"/__proxy/{name}")
        else:
            status, _, body = self.http(
                "POST", f"/__proxy/{name}", json.dumps(payload).encode(), {"Content-Type": "application/json"}
            )
        self.assertEqual(status, 200, body)
        return json.loads(body)

    def seed(self, *args):
        proc = subprocess.run(
            [sys.executable, str(HERE / "seed.py"), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return proc


class RoundTripTests(ProxyTestCase):
    def test_put_metric_data_then_get_metric_data(self):
        # whole-minute StartTime: moto's buckets start at StartTime and step by Period
        start = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
        stamps = [start + dt.timedelta(minutes=m) for m in (1, 2, 3)]
        status, _, body = self.rpc(
            "PutMetricData",
            {
                "Namespace": "Runbook/Test",
                "MetricData": [
                    {
                        "MetricName": "Errors",
                        "Dimensions": [{"Name": "Service", "Value": "api"}],
                        "Timestamp": cbor2.CBORTag(1, ts.timestamp()),  # as aws-smithy-cbor sends it
                        "Value": float(v),
                        "Unit": "Count",
                    }
                    for ts, v in zip(stamps, (1, 2, 4))
                ],
            },
        )
        self.assertEqual(status, 200, body)
        self.assertIsNone(body)  # PutMetricData has no output: empty body

        status, _, body = self.rpc(
            "GetMetricData",
            {
                "MetricDataQueries": [
                    {
                        "Id": "e",
                        "MetricStat": {
                            "Metric": {
                                "Namespace": "Runbook/Test",
                                "MetricName": "Errors",
                                "Dimensions": [{"Name": "Service", "Value": "api"}],
                            },
                            "Period": 60,
                            "Stat": "Sum",
                        },
                        "ReturnData": True,
                    }
                ],
                "StartTime": start,  # cbor2 encodes a datetime as tag 1 too
                "EndTime": cbor2.CBORTag(1, (start + dt.timedelta(minutes=10)).timestamp()),
                "ScanBy": "TimestampAscending",
            },
        )
        self.assertEqual(status, 200, body)
        (result,) = body["MetricDataResults"]
        self.assertEqual(result["Id"], "e")
        self.assertEqual(result["StatusCode"], "Complete")
        self.assertEqual(result["Timestamps"], stamps)
        self.assertEqual(result["Values"], [1.0, 2.0, 4.0])
        for value in result["Values"]:
            self.assertIsInstance(value, float)

    def test_timestamps_are_tag_1_float64_on_the_wire(self):
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        self.rpc(
            "PutMetricData",
            {"Namespace": "W", "MetricData": [{"MetricName": "M", "Value": 7.0, "Timestamp": now}]},
        )
        status, _, raw = self.http(
            "POST",
            f"/service/{TARGET}/operation/GetMetricData",
            cbor2.dumps(
                {
                    "MetricDataQueries": [
                        {"Id": "m", "MetricStat": {"Metric": {"Namespace": "W", "MetricName": "M"}, "Period": 60, "Stat": "Maximum"}}
                    ],
                    "StartTime": now - dt.timedelta(seconds=30),
                    "EndTime": now + dt.timedelta(seconds=30),
                }
            ),
            {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Authorization": auth_header("eu-west-2")},
        )
        self.assertEqual(status, 200)
        (result,) = cbor2.loads(raw)["MetricDataResults"]
        (ts,) = result["Timestamps"]
        self.assertEqual(ts, now - dt.timedelta(seconds=30))  # moto labels a bucket with its start
        # aws-smithy-cbor reads tag 1 then f64(): the wire must hold 0xc1 0xfb + 8 bytes, not an integer
        self.assertEqual(raw.count(b"\xc1\xfb"), 1)
        self.assertNotIn(b"\xc1\x1a", raw)

    def test_describe_alarms_after_seed_put_alarm(self):
        proc = self.seed(
            "put-alarm", "--endpoint", self.servers.url, "--region", "eu-west-2", "--name", "api-errors",
            "--namespace", "Runbook/Test", "--metric", "Errors", "--dimension", "Service=api",
            "--threshold", "5", "--state", "ALARM", "--reason", "seeded for a test",
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        status, _, body = self.rpc("DescribeAlarms", {"AlarmNames": ["api-errors"]})
        self.assertEqual(status, 200, body)
        (alarm,) = body["MetricAlarms"]
        self.assertEqual(alarm["StateValue"], "ALARM")
        self.assertEqual(alarm["StateReason"], "seeded for a test")
        self.assertEqual(alarm["Threshold"], 5.0)
        self.assertIsInstance(alarm["Threshold"], float)
        self.assertIsInstance(alarm["StateUpdatedTimestamp"], dt.datetime)
        self.assertEqual(alarm["Dimensions"], [{"Name": "Service", "Value": "api"}])

        status, _, body = self.rpc("DescribeAlarms", {"StateValue": "ALARM"})
        self.assertEqual([a["AlarmName"] for a in body["MetricAlarms"]], ["api-errors"])
        status, _, body = self.rpc("DescribeAlarms", {"StateValue": "OK"})
        self.assertEqual(body["MetricAlarms"], [])
        # moto keeps regions apart (the region comes from the Authorization header)
        status, _, body = self.rpc("DescribeAlarms", {}, region="us-west-1")
        self.assertEqual(body["MetricAlarms"], [])

    def test_seed_put_metric_then_get_metric_statistics_and_list_metrics(self):
        proc = self.seed(
            "put-metric", "--endpoint", self.servers.url, "--region", "eu-central-1", "--namespace", "NS",
            "--metric", "Latency", "--dimension", "Host=a", "--dimension", "Zone=b", "--values", "10,20,30",
            "--every", "60", "--unit", "Milliseconds",
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("put 3 datapoints", proc.stdout)
        status, _, body = self.rpc("ListMetrics", {"Namespace": "NS"}, region="eu-central-1")
        self.assertEqual(status, 200, body)
        # moto 5.2.5 quirk: ListMetrics repeats a metric once per datapoint when it has
        # no dimension or more than one (its are_dimensions_same() is wrong)
        self.assertEqual({m["MetricName"] for m in body["Metrics"]}, {"Latency"})
        self.assertEqual(
            sorted((d["Name"], d["Value"]) for d in body["Metrics"][0]["Dimensions"]), [("Host", "a"), ("Zone", "b")]
        )
        now = time.time()
        status, _, body = self.rpc(
            "GetMetricStatistics",
            {
                "Namespace": "NS",
                "MetricName": "Latency",
                "Dimensions": [{"Name": "Host", "Value": "a"}, {"Name": "Zone", "Value": "b"}],
                "StartTime": cbor2.CBORTag(1, now - 3600.0),
                "EndTime": cbor2.CBORTag(1, now + 60.0),
                "Period": 3600,
                "Statistics": ["Sum", "Maximum", "SampleCount"],
            },
            region="eu-central-1",
        )
        self.assertEqual(status, 200, body)
        (point,) = body["Datapoints"]
        self.assertEqual((point["Sum"], point["Maximum"], point["SampleCount"]), (60.0, 30.0, 3.0))
        self.assertIsInstance(point["Timestamp"], dt.datetime)

    def test_seed_fails_loudly(self):
        proc = self.seed(
            "put-metric", "--endpoint", "http://127.0.0.1:9", "--region", "eu-west-2", "--namespace", "NS",
            "--metric", "M", "--values", "1",
        )
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("seed: error: put-metric", proc.stderr)
        proc = self.seed(
            "put-metric", "--endpoint", self.servers.url, "--region", "eu-west-2", "--namespace", "NS",
            "--metric", "M", "--values", "1,x",
        )
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("--values", proc.stderr)


class ErrorTests(ProxyTestCase):
    def test_unknown_operation_is_a_cbor_error(self):
        status, headers, body = self.rpc("NoSuchOperation", {})
        self.assertEqual(status, 404)
        self.assertEqual(body["__type"], "com.amazonaws.cloudwatch#UnknownOperationException")
        self.assertIn("NoSuchOperation", body["message"])

    def test_moto_error_is_a_cbor_error(self):
        status, headers, body = self.rpc("DeleteDashboards", {"DashboardNames": ["missing"]})
        self.assertEqual(status, 404)
        self.assertEqual(body["__type"], "com.amazonaws.cloudwatch#ResourceNotFound")
        self.assertIn("does not exist", body["message"])
        self.assertEqual(headers.get("x-amzn-query-error"), "ResourceNotFound;Sender")
        self.assertTrue(headers.get("x-amzn-requestid"))

    def test_moto_validation_error(self):
        t = time.time()
        status, _, body = self.rpc(
            "GetMetricData",
            {"MetricDataQueries": [], "StartTime": cbor2.CBORTag(1, t), "EndTime": cbor2.CBORTag(1, t - 60)},
        )
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "com.amazonaws.cloudwatch#ValidationError")

    def test_unimplemented_in_moto_is_a_cbor_500(self):
        status, _, body = self.rpc("DescribeAlarmHistory", {"AlarmName": "x"})
        self.assertEqual(status, 500)
        self.assertEqual(body["__type"], "com.amazonaws.cloudwatch#InternalFailure")

    def test_bad_cbor_is_a_serialization_error(self):
        status, _, body = self.http(
            "POST",
            f"/service/{TARGET}/operation/ListMetrics",
            b"\xff\x00garbage",
            {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
        )
        self.assertEqual(status, 400)
        self.assertEqual(cbor2.loads(body)["__type"], "com.amazonaws.cloudwatch#SerializationException")


class FaultInjectionTests(ProxyTestCase):
    def timed_list(self, region):
        started = time.monotonic()
        status, _, body = self.rpc("ListMetrics", {}, region=region)
        return status, body, time.monotonic() - started

    def test_delay_applies_to_its_region_only(self):
        self.control("delay", {"region": "eu-west-2", "ms": 300})
        results = {}

        def slow():
            results["slow"] = self.timed_list("eu-west-2")

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.05)  # the delayed request is in flight: the fast one must not queue behind it
        status, _, fast = self.timed_list("us-east-1")
        thread.join(10)
        self.assertEqual(status, 200)
        self.assertLess(fast, 0.150)
        slow_status, _, slow_elapsed = results["slow"]
        self.assertEqual(slow_status, 200)
        self.assertGreaterEqual(slow_elapsed, 0.300)
        self.assertLess(fast, slow_elapsed)

        self.control("delay", {"region": "eu-west-2", "ms": 0})
        self.assertLess(self.timed_list("eu-west-2")[2], 0.150)

    def test_delay_200ms_bound(self):
        self.control("delay", {"region": "ap-south-1", "ms": 200})
        self.assertGreaterEqual(self.timed_list("ap-south-1")[2], 0.200)
        self.assertLess(self.timed_list("eu-west-1")[2], 0.150)

    def test_fail_injection(self):
        cases = [
            (503, "ServiceUnavailable"),
            (400, "ThrottlingException"),
            (400, "AccessDeniedException"),
        ]
        for status, code in cases:
            with self.subTest(code=code):
                self.control("fail", {"region": "eu-west-2", "status": status, "code": code})
                got, headers, body = self.rpc("DescribeAlarms", {})
                self.assertEqual(got, status)
                self.assertEqual(body["__type"], f"com.amazonaws.cloudwatch#{code}")
                self.assertTrue(body["message"])
                fault = "Receiver" if status >= 500 else "Sender"
                self.assertEqual(headers.get("x-amzn-query-error"), f"{code};{fault}")
                # other regions unaffected
                self.assertEqual(self.rpc("DescribeAlarms", {}, region="eu-central-1")[0], 200)
        self.control("fail", {"region": "eu-west-2", "status": 0})
        self.assertEqual(self.rpc("DescribeAlarms", {})[0], 200)

    def test_fail_count_then_recovers(self):
        self.control("fail", {"region": "eu-west-2", "status": 503, "code": "ServiceUnavailable", "count": 2})
        self.assertEqual(self.rpc("ListMetrics", {})[0], 503)
        self.assertEqual(self.rpc("ListMetrics", {})[0], 503)
        self.assertEqual(self.rpc("ListMetrics", {})[0], 200)

    def test_fail_does_not_touch_plain_json_seeding(self):
        self.control("fail", {"region": "eu-west-2", "status": 503, "code": "ServiceUnavailable"})
        status, _, _ = self.json10("ListMetrics", {})
        self.assertEqual(status, 200)

    def test_stats_and_reset(self):
        self.rpc("ListMetrics", {}, region="eu-west-2")
        self.rpc("ListMetrics", {}, region="eu-west-2")
        self.rpc("DescribeAlarms", {}, region="eu-central-1")
        self.json10("ListMetrics", {}, region="eu-west-2")
        self.control("fail", {"region": "eu-central-1", "status": 503})
        self.rpc("DescribeAlarms", {}, region="eu-central-1")
        stats = self.control("stats")
        self.assertEqual(stats["requests"], {"eu-west-2": 2, "eu-central-1": 2})
        self.assertEqual(stats["operations"]["eu-west-2"], {"ListMetrics": 2})
        self.assertEqual(stats["passthrough"], {"eu-west-2": 1})
        self.assertEqual(stats["injected_failures"], {"eu-central-1": 1})
        self.assertEqual(stats["failures"]["eu-central-1"]["status"], 503)
        self.control("reset", {})
        stats = self.control("stats")
        self.assertEqual(stats["requests"], {})
        self.assertEqual(stats["failures"], {})

    def test_control_rejects_bad_input(self):
        status, _, body = self.http("POST", "/__proxy/delay", b'{"ms": 5}')
        self.assertEqual(status, 400)
        status, _, body = self.http("POST", "/__proxy/fail", b'{"region": "x", "status": 200}')
        self.assertEqual(status, 400)
        status, _, body = self.http("POST", "/__proxy/nope", b"{}")
        self.assertEqual(status, 404)


class PassthroughTests(ProxyTestCase):
    def test_plain_json_passes_through(self):
        status, headers, body = self.json10(
            "PutMetricData",
            {"Namespace": "P", "MetricData": [{"MetricName": "M", "Value": 1, "Timestamp": int(time.time())}]},
        )
        self.assertEqual(status, 200, body)
        status, headers, body = self.json10("ListMetrics", {"Namespace": "P"})
        self.assertEqual(status, 200)
        self.assertEqual(body["Metrics"][0]["MetricName"], "M")
        # and the same data is visible over CBOR
        status, _, body = self.rpc("ListMetrics", {"Namespace": "P"})
        self.assertEqual(body["Metrics"][0]["MetricName"], "M")

    def test_boto3_through_the_proxy(self):
        import boto3

        cw = boto3.client(
            "cloudwatch",
            endpoint_url=self.servers.url,
            region_name="eu-west-2",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        cw.put_metric_alarm(
            AlarmName="b", Namespace="N", MetricName="M", Threshold=1, ComparisonOperator="GreaterThanThreshold",
            EvaluationPeriods=1, Period=60, Statistic="Sum",
        )
        self.assertEqual([a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]], ["b"])

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(self.servers.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=HTTP_TIMEOUT)
        try:
            started = time.monotonic()
            for _ in range(20):
                conn.request(
                    "POST",
                    f"/service/{TARGET}/operation/ListMetrics",
                    body=cbor2.dumps({}),
                    headers={"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor",
                             "Authorization": auth_header("eu-west-2")},
                )
                resp = conn.getresponse()
                self.assertEqual(resp.status, 200)
                self.assertEqual(cbor2.loads(resp.read()), {"Metrics": []})
            # no Nagle/delayed-ACK stalls (~40 ms each) on a reused connection
            self.assertLess((time.monotonic() - started) / 20, 0.035)
        finally:
            conn.close()


class ConversionTests(unittest.TestCase):
    """Shape-directed conversion, without servers."""

    @classmethod
    def setUpClass(cls):
        cls.model = cbor_proxy.service_model()

    def input_shape(self, op):
        return self.model.operation_model(op).input_shape

    def output_shape(self, op):
        return self.model.operation_model(op).output_shape

    def test_request_timestamps_become_epoch_seconds(self):
        shape = self.input_shape("GetMetricData")
        start = dt.datetime(2026, 11, 22, 10, 0, 0, tzinfo=dt.timezone.utc)
        out = cbor_proxy.cbor_to_json(
            shape,
            {
                "StartTime": start,
                "EndTime": cbor2.CBORTag(1, 1795400000.5),
                "MetricDataQueries": [{"Id": "a", "Expression": "a", "Period": 60, "ReturnData": None}],
                "MaxDatapoints": 100,
            },
        )
        self.assertEqual(out["StartTime"], int(start.timestamp()))
        self.assertIsInstance(out["StartTime"], int)
        self.assertEqual(out["EndTime"], 1795400000.5)
        self.assertEqual(out["MetricDataQueries"], [{"Id": "a", "Expression": "a", "Period": 60}])  # null dropped
        json.dumps(out)  # serialisable

    def test_request_nested_lists_and_maps(self):
        shape = self.input_shape("PutMetricData")
        out = cbor_proxy.cbor_to_json(
            shape,
            {
                "Namespace": "N",
                "MetricData": [
                    {
                        "MetricName": "M",
                        "Dimensions": [{"Name": "A", "Value": "b"}],
                        "Timestamp": cbor2.CBORTag(1, 100),
                        "Values": [1, 2.5],
                        "Counts": [3, 4],
                        "StatisticValues": {"SampleCount": 2, "Sum": 3, "Minimum": 1, "Maximum": 2},
                    }
                ],
                "EntityMetricData": [
                    {"Entity": {"KeyAttributes": {"Type": "Service", "Name": "api"}, "Attributes": {"x": "y"}},
                     "MetricData": [{"MetricName": "E", "Timestamp": dt.datetime(1970, 1, 1, 0, 1, tzinfo=dt.timezone.utc)}]}
                ],
            },
        )
        datum = out["MetricData"][0]
        self.assertEqual(datum["Timestamp"], 100)
        self.assertEqual(datum["Values"], [1.0, 2.5])
        self.assertIsInstance(datum["Values"][0], float)
        self.assertEqual(datum["StatisticValues"]["Sum"], 3.0)
        entity = out["EntityMetricData"][0]
        self.assertEqual(entity["Entity"]["KeyAttributes"], {"Type": "Service", "Name": "api"})
        self.assertEqual(entity["MetricData"][0]["Timestamp"], 60)

    def test_blob_is_base64_in_json_and_bytes_in_cbor(self):
        shape = self.output_shape("GetMetricWidgetImage")
        out = cbor_proxy.json_to_cbor(shape, {"MetricWidgetImage": "aGVsbG8="})
        self.assertEqual(out["MetricWidgetImage"], b"hello")
        self.assertEqual(
            cbor_proxy.cbor_to_json(shape, {"MetricWidgetImage": b"hello"}), {"MetricWidgetImage": "aGVsbG8="}
        )

    def test_response_timestamps_doubles_and_unknown_members(self):
        shape = self.output_shape("GetMetricData")
        out = cbor_proxy.json_to_cbor(
            shape,
            {
                "MetricDataResults": [
                    {
                        "Id": "m",
                        "Timestamps": [1795400000, "2026-11-22T10:00:00Z", 1795400000.25],
                        "Values": [1, 2.5, "NaN"],
                        "StatusCode": "Complete",
                        "NotInModel": 1,
                    }
                ],
                "NextToken": None,
            },
        )
        result = out["MetricDataResults"][0]
        self.assertNotIn("NotInModel", result)
        self.assertNotIn("NextToken", out)
        stamps = result["Timestamps"]
        self.assertTrue(all(isinstance(t, cbor2.CBORTag) and t.tag == 1 and isinstance(t.value, float) for t in stamps))
        iso = dt.datetime(2026, 11, 22, 10, tzinfo=dt.timezone.utc).timestamp()
        self.assertEqual([t.value for t in stamps], [1795400000.0, iso, 1795400000.25])
        self.assertEqual(result["Values"][:2], [1.0, 2.5])
        self.assertIsInstance(result["Values"][0], float)
        self.assertTrue(result["Values"][2] != result["Values"][2])  # NaN
        encoded = cbor_proxy.encode_cbor(out)
        self.assertIn(b"\xc1\xfb", encoded)  # tag 1 + float64

    def test_response_integers_and_booleans(self):
        shape = self.output_shape("DescribeAlarms")
        out = cbor_proxy.json_to_cbor(
            shape,
            {"MetricAlarms": [{"AlarmName": "a", "Period": 60, "EvaluationPeriods": 1.0, "Threshold": 5,
                               "ActionsEnabled": True, "Dimensions": [], "StateUpdatedTimestamp": 1.5}]},
        )
        alarm = out["MetricAlarms"][0]
        self.assertEqual((alarm["Period"], alarm["EvaluationPeriods"]), (60, 1))
        self.assertIsInstance(alarm["EvaluationPeriods"], int)
        self.assertIsInstance(alarm["Threshold"], float)
        self.assertIs(alarm["ActionsEnabled"], True)
        self.assertEqual(alarm["StateUpdatedTimestamp"], cbor2.CBORTag(1, 1.5))

    def test_error_shape_ids(self):
        for code in ("Throttling", "GraniteServiceVersion20100801#Throttling", "com.amazonaws.cloudwatch#Throttling",
                     "aws.protocoltests#Throttling:http://internal.amazon.com/coral/"):
            self.assertEqual(cbor_proxy.error_shape_id(code), "com.amazonaws.cloudwatch#Throttling")
        self.assertEqual(
            cbor2.loads(cbor_proxy.cbor_error_body("X", "m")), {"__type": "com.amazonaws.cloudwatch#X", "message": "m"}
        )

    def test_region_from_authorization(self):
        self.assertEqual(cbor_proxy.region_of({"Authorization": auth_header("ap-southeast-2")}), "ap-southeast-2")
        self.assertEqual(cbor_proxy.region_of({}), "us-east-1")

    def test_every_operation_has_shapes_the_converter_accepts(self):
        for name in self.model.operation_names:
            op = self.model.operation_model(name)
            if op.input_shape is not None:
                self.assertEqual(cbor_proxy.cbor_to_json(op.input_shape, {}), {})
            if op.output_shape is not None:
                self.assertEqual(cbor_proxy.json_to_cbor(op.output_shape, {}), {})


if __name__ == "__main__":
    unittest.main()
