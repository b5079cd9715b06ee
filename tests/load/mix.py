"""The request mix of tests/load/run.sh: valid and invalid callers, cycled; checks no 5xx and
the server's resident memory after the run against after the warm-up (within 10%)."""
import http.client
import json
import random
import re
import sys

host, port, pid, token, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
warmup, requests = int(sys.argv[6]), int(sys.argv[7])
rng = random.Random(20261205)


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS for the server")


def junk(n):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


good = {"Authorization": f"Bearer {token}"}
cookie = {}
login = {}  # the sign-in form's CSRF cookie and value


def mix(i):
    """The i-th request: (method, path, headers, body)."""
    k = i % 16
    if k == 0:
        return "GET", "/", cookie, None
    if k == 1:
        return "GET", f"/api/items?page={rng.randint(1, 3)}&per_page=20", good, None
    if k == 2:
        return "POST", "/api/match", {**good, "Content-Type": "application/json"}, json.dumps(
            {"text": "uống nước chanh nóng chữa ung thư " + junk(8), "top": 5})
    if k == 3:
        return "GET", "/api/items", {"Authorization": f"Bearer {junk(40)}"}, None
    if k == 4:
        # A wrong password for a made-up user each time (the sign-in limiter's keys).
        return "POST", "/login", {"Content-Type": "application/x-www-form-urlencoded",
                                  "Cookie": login["cookie"]}, \
            f"csrf={login['csrf']}&username={junk(rng.randint(5, 4000))}&password={junk(12)}"
    if k == 5:
        return junk(rng.randint(3, 12)).upper(), "/", {}, None
    if k == 6:
        return "GET", f"/{junk(rng.randint(5, 200))}/{junk(10)}", {}, None
    if k == 7:
        return "POST", "/api/match", {**good, "Content-Type": "application/json"}, "{" + junk(50)
    if k == 8:
        return "GET", f"/items/{rng.randint(1, 40)}", cookie, None
    if k == 9:
        return "GET", "/verdicts", {"Accept-Language": rng.choice(["vi", "en", junk(30)])}, None
    if k == 10:
        return "GET", f"/api/items?q={junk(rng.randint(1, 300))}&status={junk(6)}", good, None
    if k == 11:
        return "POST", "/api/items", {**good, "Content-Type": "application/json"}, \
            json.dumps({"text": "x" * rng.randint(1, 200), "source": "load"}) + junk(3)
    if k == 12:
        return "GET", "/healthz", {}, None
    if k == 13:
        return "GET", "/metrics", {}, None
    if k == 14:
        return "GET", f"/api/factchecks?page={junk(5)}", {"Authorization": "Basic " + junk(20)}, None
    return "POST", "/api/match", {**good, "Content-Type": "text/plain"}, junk(100)


def sign_in():
    c = http.client.HTTPConnection(host, port, timeout=30)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    login["cookie"] = "; ".join(v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
    login["csrf"] = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    c.request("POST", "/login", body=f"csrf={login['csrf']}&username=editor&password={password}",
              headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": login["cookie"]})
    r = c.getresponse()
    r.read()
    pairs = [v.split(";", 1)[0] for k, v in r.getheaders() if k.lower() == "set-cookie"]
    cookie["Cookie"] = "; ".join(p for p in pairs if not p.endswith("="))
    c.close()


def run(n, start):
    statuses = {}
    conn = http.client.HTTPConnection(host, port, timeout=30)
    for i in range(start, start + n):
        method, path, headers, body = mix(i)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
        except (http.client.HTTPException, ConnectionError) as e:
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            status = type(e).__name__
        statuses[status] = statuses.get(status, 0) + 1
        if isinstance(status, int) and status >= 500:
            raise SystemExit(f"request {i}: {method} {path[:80]} answered {status}")
    conn.close()
    return statuses


sign_in()
if not cookie.get("Cookie"):
    raise SystemExit("could not sign in as editor")
run(warmup, 0)
before = rss_kib()
statuses = run(requests, warmup)
after = rss_kib()
growth = (after - before) / before
print(f"load: {requests} requests after {warmup} of warm-up; answers "
      + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))),
      file=sys.stderr)
print(f"load: resident memory {before} KiB after the warm-up, {after} KiB after the run "
      f"({growth:+.1%}; at most +10%)", file=sys.stderr)
if growth > 0.10:
    raise SystemExit("load: FAILED: memory grew by more than 10%")
print("load: ok", file=sys.stderr)
