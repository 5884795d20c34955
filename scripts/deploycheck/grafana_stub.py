"""A stand-in for curl talking to Grafana's HTTP API, for the check of
scripts/provision-dashboards.sh (observability.py puts a `curl` wrapper calling it first on
the PATH): reads the options the script passes (-o, -w '%{http_code}', -X, -H, -H @file,
--data-binary @file, the URL), answers as Grafana does for the data source and dashboard
calls, accepts only a token that the aws stand-in minted and has not deleted, and logs
each request as a JSON line ($GRAFANA_STUB_DIR/requests.log). $GRAFANA_STUB_REFUSE names a
dashboard uid it answers 400."""
import json
import os
import sys
import urllib.parse


def main(args):
    state = os.environ["GRAFANA_STUB_DIR"]
    os.makedirs(state, exist_ok=True)
    out, fmt, method, url, headers, body = None, "", "GET", None, [], None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-o", "-w", "-X", "-H", "--data-binary"):
            v = args[i + 1]
            i += 2
            if a == "-o":
                out = v
            elif a == "-w":
                fmt = v
            elif a == "-X":
                method = v
            elif a == "-H":
                if v.startswith("@"):
                    headers += open(v[1:]).read().splitlines()
                else:
                    headers.append(v)
            else:
                body = open(v[1:]).read() if v.startswith("@") else v
        elif a.startswith("-"):
            i += 1
        else:
            url, i = a, i + 1
    parsed = urllib.parse.urlsplit(url or "")
    auth = next((h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("authorization:")), "")
    tokens = os.path.join(os.path.dirname(state), "grafana", "tokens")
    live = {open(os.path.join(tokens, t)).read() for t in os.listdir(tokens)} if os.path.isdir(tokens) else set()
    key = auth.removeprefix("Bearer ")
    entry = {"method": method, "host": parsed.netloc, "scheme": parsed.scheme, "path": parsed.path,
             "auth": "live" if key in live else ("dead" if key else "none"),
             "body": json.loads(body) if body else None}
    with open(os.path.join(state, "requests.log"), "a") as f:
        f.write(json.dumps(entry) + "\n")
    status, answer = route(state, entry)
    if out:
        with open(out, "w") as f:
            f.write(json.dumps(answer))
    else:
        sys.stdout.write(json.dumps(answer))
    if fmt:
        sys.stdout.write(fmt.replace("%{http_code}", str(status)))
    return 0


def route(state, r):
    if r["scheme"] != "https":
        return 400, {"message": "plain HTTP"}
    if r["auth"] != "live":
        return 401, {"message": "invalid API key"}
    ds = os.path.join(state, "datasource.json")
    path, method, body = r["path"], r["method"], r["body"]
    if path == "/api/datasources/uid/pge-prometheus" and method == "GET":
        return (200, json.load(open(ds))) if os.path.exists(ds) else (404, {"message": "Data source not found"})
    if path == "/api/datasources" and method == "POST":
        if os.path.exists(ds):
            return 409, {"message": "data source with the same name already exists"}
        json.dump(body, open(ds, "w"))
        return 200, {"id": 1, "message": "Datasource added", "datasource": body}
    if path == "/api/datasources/uid/pge-prometheus" and method == "PUT":
        if not os.path.exists(ds):
            return 404, {"message": "Data source not found"}
        json.dump(body, open(ds, "w"))
        return 200, {"id": 1, "message": "Datasource updated", "datasource": body}
    if path == "/api/dashboards/db" and method == "POST":
        uid = (body.get("dashboard") or {}).get("uid")
        if uid and uid == os.environ.get("GRAFANA_STUB_REFUSE"):
            return 400, {"message": "Dashboard title cannot be empty"}
        stored = os.path.join(state, f"dashboard-{uid}.json")
        if os.path.exists(stored) and not body.get("overwrite"):
            return 412, {"status": "name-exists", "message": "A dashboard with the same uid already exists"}
        json.dump(body, open(stored, "w"))
        return 200, {"status": "success", "uid": uid, "url": f"/d/{uid}/x", "version": 1}
    return 404, {"message": "Not found"}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
