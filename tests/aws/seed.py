#!/usr/bin/env python3
"""Put test data into moto's CloudWatch (directly or through cbor_proxy.py).

    seed.py put-metric --endpoint URL --region R --namespace N --metric M
                       [--dimension K=V ...] --values 1,2,3 [--every 60] [--unit Count]
        Puts one datapoint per value, spaced --every seconds, the last one at
        now (whole seconds, UTC): values[-1] at now, values[-2] at now-every, ...

    seed.py put-alarm --endpoint URL --region R --name NAME --namespace N --metric M
                      [--dimension K=V ...] --threshold X --state ALARM|OK|INSUFFICIENT_DATA
                      [--reason TEXT] [--comparison GreaterThanThreshold] [--period 60]
                      [--evaluation-periods 1] [--statistic Average]
        put_metric_alarm, then set_alarm_state.

Uses boto3 with dummy credentials (AWS_ACCESS_KEY_ID=testing unless set).
Prints one line saying what it did; exits 1 with `seed: error: ...` on failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys


def _client(args):
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_SESSION_TOKEN", "testing")
    # never read the user's ~/.aws files for a seed
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cloudwatch",
        endpoint_url=args.endpoint,
        region_name=args.region,
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 1, "mode": "standard"},
        ),
    )


def _dimensions(pairs):
    dims = []
    for pair in pairs or []:
        if "=" not in pair:
            raise ValueError(f"--dimension must be KEY=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        if not key:
            raise ValueError(f"--dimension must be KEY=VALUE, got {pair!r}")
        dims.append({"Name": key, "Value": value})
    return dims


def _values(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip() != ""]
    except ValueError:
        raise ValueError(f"--values must be numbers separated by commas, got {text!r}") from None
    if not values:
        raise ValueError("--values needs at least one number")
    return values


def put_metric(args) -> str:
    values = _values(args.values)
    if args.every <= 0:
        raise ValueError("--every must be > 0")
    dims = _dimensions(args.dimension)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    data = []
    for i, value in enumerate(values):
        ts = now - dt.timedelta(seconds=args.every * (len(values) - 1 - i))
        datum = {"MetricName": args.metric, "Value": value, "Timestamp": ts, "Unit": args.unit}
        if dims:
            datum["Dimensions"] = dims
        data.append(datum)
    cw = _client(args)
    for start in range(0, len(data), 1000):  # the API's per-call limit
        cw.put_metric_data(Namespace=args.namespace, MetricData=data[start : start + 1000])
    first = data[0]["Timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
    last = data[-1]["Timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"put {len(data)} datapoints {args.namespace}/{args.metric} in {args.region} from {first} to {last}"


def put_alarm(args) -> str:
    cw = _client(args)
    params = dict(
        AlarmName=args.name,
        Namespace=args.namespace,
        MetricName=args.metric,
        Threshold=args.threshold,
        ComparisonOperator=args.comparison,
        EvaluationPeriods=args.evaluation_periods,
        Period=args.period,
        Statistic=args.statistic,
    )
    dims = _dimensions(args.dimension)
    if dims:
        params["Dimensions"] = dims
    cw.put_metric_alarm(**params)
    cw.set_alarm_state(AlarmName=args.name, StateValue=args.state, StateReason=args.reason)
    return f"put alarm {args.name} in {args.region} state {args.state}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="seed.py", description="Seed moto's CloudWatch for tests.")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p):
        p.add_argument("--endpoint", required=True, help="moto or cbor_proxy URL, e.g. http://127.0.0.1:5000")
        p.add_argument("--region", required=True)
        p.add_argument("--namespace", required=True)
        p.add_argument("--metric", required=True)
        p.add_argument("--dimension", action="append", default=[], metavar="K=V", help="repeatable")

    pm = sub.add_parser("put-metric", help="put datapoints spaced --every seconds, newest (last) at now")
    common(pm)
    pm.add_argument("--values", required=True, help="comma-separated numbers, oldest first")
    pm.add_argument("--every", type=int, default=60, help="seconds between datapoints (default 60)")
    pm.add_argument("--unit", default="Count")
    pm.set_defaults(func=put_metric)

    pa = sub.add_parser("put-alarm", help="put_metric_alarm then set_alarm_state")
    common(pa)
    pa.add_argument("--name", required=True)
    pa.add_argument("--threshold", type=float, required=True)
    pa.add_argument("--state", required=True, choices=["ALARM", "OK", "INSUFFICIENT_DATA"])
    pa.add_argument("--reason", default="seeded by tests/aws/seed.py")
    pa.add_argument("--comparison", default="GreaterThanThreshold")
    pa.add_argument("--period", type=int, default=60)
    pa.add_argument("--evaluation-periods", type=int, default=1)
    pa.add_argument("--statistic", default="Average")
    pa.set_defaults(func=put_alarm)

    args = parser.parse_args(argv)
    try:
        print(args.func(args), flush=True)
    except Exception as err:  # noqa: BLE001 - one clear line for the Rust test's failure message
        print(f"seed: error: {args.command}: {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
