#!/usr/bin/env python3
"""The optional second way to start pge: the embedded default, as `scripts/start.sh`
starts it, plus a local Prometheus (Debian's `prometheus`, installed with apt-get when
missing) scraping its metrics every 5 s with the alert rules of ops/prometheus/rules.yml,
for a developer who wants to see the metrics, the rules and the dashboard's queries
(ops/grafana/launch-day.json: paste any panel's expression into Prometheus's page).

    scripts/start-with-prometheus.py [--port 8080] [--metrics-port 9090] [--prometheus-port 9091]

The app at http://127.0.0.1:8080/, Prometheus at http://127.0.0.1:9091/ (Alerts, Graph).
Ctrl-C stops both. `scripts/start.sh` needs none of this.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opslab  # noqa: E402  (the ops checks' lab: Prometheus installed and started the same way)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    # SIGTERM as Ctrl-C: both stop, Prometheus's folder removed.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--metrics-port", type=int, default=9090)
    parser.add_argument("--prometheus-port", type=int, default=9091)
    args = parser.parse_args()
    opslab.ensure_prometheus()
    work = tempfile.mkdtemp(prefix="pge-prometheus-")
    config = {
        "global": {"scrape_interval": "5s", "evaluation_interval": "5s"},
        "rule_files": [os.path.join(ROOT, "ops/prometheus/rules.yml")],
        "scrape_configs": [{"job_name": "pge-api",
                            "static_configs": [{"targets": [f"127.0.0.1:{args.metrics_port}"]}]}],
    }
    path = os.path.join(work, "prometheus.yml")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)  # JSON is YAML
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={path}", f"--storage.tsdb.path={work}/data",
         f"--web.listen-address=127.0.0.1:{args.prometheus_port}", "--log.level=warn"],
        start_new_session=True)
    env = dict(os.environ, PGE_LISTEN_ADDR=f"127.0.0.1:{args.port}",
               PGE_METRICS_ADDR=f"127.0.0.1:{args.metrics_port}")
    print(f"Prometheus: http://127.0.0.1:{args.prometheus_port}/ (rules: ops/prometheus/rules.yml)",
          flush=True)
    app = subprocess.Popen([os.path.join(ROOT, "scripts/start.sh")], env=env)
    try:
        return app.wait()
    except KeyboardInterrupt:
        app.send_signal(signal.SIGINT)
        return app.wait()
    finally:
        opslab.end(prometheus, 20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
