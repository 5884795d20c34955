#!/usr/bin/env python3
"""An OTLP/HTTP traces receiver for the benchmark (scripts/bench.sh with BENCH_TRACES):
answers every POST /v1/traces with an empty ExportTraceServiceResponse (an empty
protobuf message is zero bytes) and counts the requests and bytes it got, written to
the file named on the command line when it is stopped (SIGTERM). It does not decode:
the span tree is tested in api/tests/traces.rs; here only the exporter's cost matters.

    otlp-sink.py PORT_FILE COUNTS_FILE
"""
import http.server
import json
import signal
import sys
import threading

port_file, counts_file = sys.argv[1:3]
counts = {"requests": 0, "bytes": 0}
lock = threading.Lock()


class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        ok = self.path == "/v1/traces"
        if ok:
            with lock:
                counts["requests"] += 1
                counts["bytes"] += len(body)
        self.send_response(200 if ok else 404)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))


def stop(*_):
    with open(counts_file, "w") as f:
        json.dump(counts, f)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
server.serve_forever()
