"""Schema-driven fuzzing of the real server, for CI.

Starts the `wamux` binary on the simulated network with a fresh SQLite database,
gives it something to work on (a connected instance with a chat, a second user),
then runs schemathesis (its examples, coverage, fuzzing and stateful phases, every check)
against the OpenAPI document the server itself serves. Fails when schemathesis
finds anything (a 5xx, an answer outside its documented status or schema, a
schema-valid request refused, a schema-invalid one accepted) or when the server
logged a panic. A run in which only schemathesis itself raised (a Python error
in its own generators) is run again, up to twice.

It runs twice, each time on a fresh server: as the administrator, then as a
normal user owning the seeded instances (every administrator route must
answer it 403, every other user's resource 404).

Usage: fuzz.py BINARY SCHEMATHESIS [--seed N] [--max-time SECONDS] [--user-max-time SECONDS]
Standard library only; schemathesis runs as a separate command.
"""

import argparse
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

ADMIN_EMAIL = "fuzz-admin@example.com"
ADMIN_PASSWORD = "fuzz-admin-password"
JWT_SECRET = "fuzz-jwt-secret-0123456789abcdef0123456789"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, binary, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, "wamux.log")
        env = dict(os.environ)
        env.update(
            {
                "WAMUX__SERVER__PORT": str(self.port),
                "WAMUX__SERVER__DATA_DIR": os.path.join(workdir, "data"),
                "WAMUX__DATABASE__URL": f"sqlite://{workdir}/wamux.db?mode=rwc",
                "WAMUX__AUTH__JWT_SECRET": JWT_SECRET,
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_EMAIL": ADMIN_EMAIL,
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "WAMUX__WHATSAPP__BACKEND": "sim",
                "WAMUX__WHATSAPP__DATA_DIR": os.path.join(workdir, "data", "wa"),
                # The fuzzer sends thousands of requests, many with bad
                # credentials on purpose: the limits are tested elsewhere
                # (tests/api/security.rs) and would only answer 429 here.
                "WAMUX__LIMITS__REQUESTS_PER_SECOND": "100000",
                "WAMUX__LIMITS__BURST": "100000",
                "WAMUX__LIMITS__LOGIN_ATTEMPTS_PER_MINUTE": "100000",
                "WAMUX__LIMITS__AUTH_FAILURES_PER_MINUTE": "100000",
                # Refusing private addresses (SSRF) is a policy no schema can
                # state; tests/api cover it. Here every URL is taken, and none
                # reachable: this machine only.
                "WAMUX__WEBHOOKS__ALLOW_PRIVATE_TARGETS": "true",
                "WAMUX__WHATSAPP__ALLOW_PRIVATE_MEDIA_URLS": "true",
                "WAMUX__WHATSAPP__MEDIA_FETCH_TIMEOUT_MS": "2000",
                "WAMUX__WEBHOOKS__TIMEOUT_MS": "2000",
                "WAMUX__SIM__RECEIPT_DELAY_MS": "20",
                "WAMUX__LOG__LEVEL": "info",
                "RUST_BACKTRACE": "1",
            }
        )
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary], env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"wamux exited at start:\n{self.read_log()}")
            try:
                if self.call("GET", "/health")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit(f"wamux did not answer /health:\n{self.read_log()}")

    def call(self, method, path, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def expect(self, status, method, path, body=None, token=None):
        got, answer = self.call(method, path, body, token)
        if got != status:
            sys.exit(f"{method} {path}: expected {status}, got {got}: {answer}")
        return answer

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as log:
            return log.read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def eventually(what, probe):
    for _ in range(100):
        found = probe()
        if found:
            return found
        time.sleep(0.1)
    sys.exit(f"the seed never got {what}")


def login(server, email, password):
    return server.expect(200, "POST", "/api/auth/login", {"email": email, "password": password})[
        "token"
    ]


def seed(server, as_user):
    """Real ids for the fuzzer to reach past the 404s: an instance paired on the
    simulated network with one received message and one failed webhook
    delivery, a second instance for the operations that end an instance (delete,
    log out, faults), and a user who is not the caller. With `as_user`, the
    caller is a normal user who owns those instances, and the other user is
    the administrator (whose routes must all answer it 403)."""
    admin = login(server, ADMIN_EMAIL, ADMIN_PASSWORD)
    user = {"email": "fuzz-user@example.com", "password": "fuzz-user-password"}
    user_id = server.expect(201, "POST", "/api/admin/users", user, admin)["id"]
    token = admin
    if as_user:
        token = login(server, user["email"], user["password"])
        user_id = server.expect(200, "GET", "/api/auth/me", token=admin)["id"]
    # Nothing listens on port 9 here: every delivery fails at once, for good.
    fuzzed = {
        "name": "Fuzzed",
        "webhookUrl": "http://127.0.0.1:9/hook",
        "webhookEnabled": True,
        "maxRetries": 0,
    }
    instance = server.expect(201, "POST", "/api/instances", fuzzed, token)["id"]
    doomed = server.expect(201, "POST", "/api/instances", {"name": "Doomed"}, token)["id"]
    for _ in range(100):
        if server.call("GET", f"/api/instances/{instance}/qr", token=token)[0] == 200:
            break
        time.sleep(0.1)
    scan = {"phone": "79001234567", "pushName": "Fuzz"}
    server.expect(200, "POST", f"/api/sim/instances/{instance}/scan", scan, token)
    for _ in range(100):
        status = server.expect(200, "GET", f"/api/whatsapp/{instance}/status", token=token)
        if status["status"] == "connected":
            break
        time.sleep(0.1)
    media = {"mimetype": "text/plain", "filename": "note.txt", "data": "aGVsbG8="}
    inbound = {"from": "79007654321", "body": "hello", "pushName": "Peer", "media": media}
    server.expect(200, "POST", f"/api/sim/instances/{instance}/inbound", inbound, token)
    history = f"/api/instances/{instance}/chats/79007654321/messages"
    message = eventually(
        "the received message in the history",
        lambda: [m["messageId"] for m in server.expect(200, "GET", history, token=token)["messages"]],
    )[0]
    deliveries = f"/api/instances/{instance}/webhooks/deliveries?state=failed"
    delivery = eventually(
        "a failed webhook delivery",
        lambda: [d["id"] for d in server.expect(200, "GET", deliveries, token=token)["deliveries"]],
    )[0]
    ids = {
        "instance_id": instance,
        "chat_id": "79007654321",
        "message_id": message,
        "delivery_id": delivery,
        "user_id": user_id,
    }
    return token, ids, doomed


# Operations after which an instance has nothing left to fuzz: they get the
# second instance, so that the first stays connected for all the others.
ENDING_OPERATIONS = [
    ("DELETE", "/api/instances/{instance_id}"),
    ("POST", "/api/instances/{instance_id}/logout"),
    ("POST", "/api/whatsapp/{instance_id}/logout"),
    ("POST", "/api/sim/instances/{instance_id}/fault"),
]


def config(token, ids, doomed, seed_value, max_time):
    """schemathesis.toml: the caller's token, and each seeded id offered for
    most of the generated cases (the rest stay random, for the 404 paths)."""
    lines = [
        f"seed = {seed_value}",
        f"max-time = {max_time}",
        # One worker: CPython 3.11's ast is not thread-safe ("AST constructor
        # recursion depth mismatch" when two threads parse at once, as hypothesis
        # does to describe its strategies), which broke runs with two.
        "workers = 1",
        "[auth.openapi.bearer]",
        f'bearer = "{token}"',
        "[generation]",
        "max-examples = 40",
        "[phases]",
        "examples.enabled = true",
        "coverage.enabled = true",
        "fuzzing.enabled = true",
        # Sequences of calls, linked by the ids one answer gives the next.
        "stateful.enabled = true",
        "[checks]",
        "enabled = true",
        "[dictionaries]",
    ]
    for name, value in ids.items():
        lines.append(f'{name} = {{ values = ["{value}"] }}')
    lines.append(f'doomed_instance_id = {{ values = ["{doomed}"] }}')
    lines.append("[parameters]")
    for name in ids:
        lines.append(f'"path.{name}" = {{ dictionary = "{name}", probability = 0.8 }}')
    for method, path in ENDING_OPERATIONS:
        lines += [
            "[[operations]]",
            f'include-method = "{method}"',
            f'include-path = "{path}"',
            'parameters = { "path.instance_id" = '
            '{ dictionary = "doomed_instance_id", probability = 0.8 } }',
            # Not the first instance's id either, seen in an earlier answer.
            "phases.examples.extra-data-sources.responses = false",
            "phases.fuzzing.extra-data-sources.responses = false",
        ]
    # Two 422s depend on what happened before, which no schema can foresee:
    # send-media fetches the URL it is given, and a well-formed URL no server
    # answers (every generated one, here) is 422 media_fetch_failed; and any
    # send that reuses an Idempotency-Key for a different request is 422
    # idempotency_key_reused. tests/api/messaging covers both answers.
    # Rules JSON Schema cannot state: a reaction is one grapheme (the schema
    # bounds its length only); a poll's selectableCount is at most its number
    # of options; a file sent `as` voice must be audio and `as` sticker webp
    # (the file's type, not a field, decides). A vote also depends on the
    # message it names: no poll, or an option the poll lacks, is 400. Their
    # 400s are tested in tests/api/kinds/.
    lines += [
        "[[operations]]",
        'include-path-regex = "^/api/whatsapp/[{]instance_id[}]/(send-poll|send-file|send-media|messages/[{]message_id[}]/(reaction|vote))$"',
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]',
    ]
    # Actions on messages and chats answer 409 when the message is not the
    # instance's own (editing, deleting) or the instance is not connected; the
    # group routes too, and 403/404 when the group (which WhatsApp keeps, not
    # the schema) refuses them or does not exist (tests/api/groups).
    lines += [
        "[[operations]]",
        'include-path-regex = "^/api/whatsapp/[{]instance_id[}]/(messages|chats|presence|check-numbers|contacts/[{]phone[}]|groups)"',
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]',
    ]
    lines += [
        "[[operations]]",
        'include-path-regex = "^/api/whatsapp/[{]instance_id[}]/send"',
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]',
    ]
    return "\n".join(lines) + "\n"


# POST /api/sim/instances/{id}/fault with kind "crash" panics a simulated
# session on purpose (it shows the supervisor restarting it); any other panic
# is a defect.
DELIBERATE_PANIC = "simulated session crash"


def unexpected_panics(log):
    lines = log.splitlines()
    found = []
    for index, line in enumerate(lines):
        if " panicked at " not in line:
            continue
        message = lines[index + 1] if index + 1 < len(lines) else ""
        if message.strip() != DELIBERATE_PANIC:
            found.append(f"{line} {message}")
    return found


def schemathesis_broke_alone(report_dir):
    """True when the run found nothing against the server and only schemathesis
    itself raised (a Python error inside its own generators, as CPython 3.11's
    `ast` does now and then: "AST constructor recursion depth mismatch")."""
    reports = glob.glob(os.path.join(report_dir, "*.xml"))
    if not reports:
        return False
    errors = 0
    for report in reports:
        for case in ET.parse(report).getroot().iter("testcase"):
            for outcome in case:
                if outcome.tag == "failure":
                    return False
                if outcome.tag == "error":
                    text = outcome.text or ""
                    if "site-packages/" not in text or "Traceback" not in text:
                        return False
                    errors += 1
    return errors > 0


def fuzz_once(args, as_user):
    """One run against a fresh server: (passed, internal_error_only, workdir)."""
    workdir = tempfile.mkdtemp(prefix="wamux-fuzz-")
    server = Server(os.path.abspath(args.binary), workdir)
    max_time = args.user_max_time if as_user else args.max_time
    print(f"fuzzing as {'a normal user' if as_user else 'an administrator'} for {max_time} s")
    try:
        token, ids, doomed = seed(server, as_user)
        config_path = os.path.join(workdir, "schemathesis.toml")
        with open(config_path, "w") as out:
            out.write(config(token, ids, doomed, args.seed, max_time))
        run = subprocess.run(
            [
                os.path.abspath(args.schemathesis),
                "--config-file",
                config_path,
                "run",
                f"{server.base}/api/openapi.json",
                "--report",
                "junit",
                "--report-dir",
                os.path.join(workdir, "report"),
            ],
            cwd=workdir,
        )
        alive = server.process.poll() is None
    finally:
        server.stop()
    panics = unexpected_panics(server.read_log())
    for line in panics[:20]:
        print(f"server panic: {line}", file=sys.stderr)
    if not alive:
        print("the server died during the run", file=sys.stderr)
    passed = run.returncode == 0 and not panics and alive
    internal = (
        not passed
        and not panics
        and alive
        and schemathesis_broke_alone(os.path.join(workdir, "report"))
    )
    return passed, internal, workdir


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("schemathesis")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--max-time", type=int, default=300)
    parser.add_argument("--user-max-time", type=int, default=120)
    args = parser.parse_args()
    for as_user in (False, True):
        fuzz_as(args, as_user)


def fuzz_as(args, as_user):
    passed, internal, workdir = fuzz_once(args, as_user)
    # Nothing was found against the server; schemathesis broke on its own (seen:
    # CPython 3.11's ast.parse failing inside hypothesis's lambda descriptions).
    # Up to two more runs decide, so that its bug neither fails CI nor hides ours.
    for _ in range(2):
        if not internal:
            break
        print(
            f"schemathesis itself raised (report in {workdir}); running once more",
            file=sys.stderr,
        )
        passed, internal, workdir = fuzz_once(args, as_user)
    if not passed and internal:
        # Every case sent passed; only schemathesis's own bug stopped it, three
        # times. Failing CI for that would make its bug ours.
        print(
            f"warning: schemathesis itself raised in every run (report in {workdir}); "
            "nothing was found against the server",
            file=sys.stderr,
        )
        return
    if not passed:
        sys.exit(f"fuzzing failed; the server's log and the report are in {workdir}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
