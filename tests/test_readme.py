"""README.md, run as written: every shell block, in order, against a live server on a fresh database.

The rules the README is held to, so that a change breaking an example fails `make test`:

- every ```sh, ```bash or ```console block runs with bash under `set -euo pipefail`, in the order it
  appears; variables a block sets (`TOKEN=…`) are there for the blocks after it, as in one terminal;
- a block runs unless the line just before it is `<!-- not run by tests/test_readme.py: <why> -->`;
- a fenced block whose info string ends in `output` (```json output) is what the shell block before it
  prints: compared with the whitespace around JSON punctuation and `…` dropped and other runs of
  whitespace made one space, `…` standing for any text;
- no request a block makes may be answered 5xx, and a block that shows no output may get only 2xx or 3xx
  answers (it would otherwise fail silently: curl exits 0 on a 404).

The server is what `make run` starts (`make fixtures`, then Django's development server) on a database of
this test's own; the README's `http://127.0.0.1:8000`, in commands and outputs, is rewritten to its address.
"""

import os
import re
import shlex
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.servers import runserver

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHELLS = {"sh", "bash", "console"}
SKIP_MARKER = re.compile(r"^<!-- not run by tests/test_readme\.py: (?P<why>.+\S) -->$")
DOCUMENTED_URL = "http://127.0.0.1:8000"
# A request line of the development server's log: "GET /api/v1/claims/?… HTTP/1.1" 200 1234
REQUEST_LOG = re.compile(r'"(?P<request>[A-Z]+ \S+) HTTP/[\d.]+" (?P<status>\d{3}) ')


@dataclass
class Block:
    line: int
    info: str
    text: str
    skip_reason: str | None = None
    expected: str | None = None

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info else ""


def fenced_blocks(markdown: str) -> list[Block]:
    """Every fenced block, indented ones (inside a list item) included, with the skip marker before it."""
    blocks = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = re.match(r"^(?P<indent> *)```(?P<info>[^`]*)$", lines[index])
        if not opening:
            index += 1
            continue
        indent = len(opening["indent"])
        start = index + 1
        previous = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
        marker = SKIP_MARKER.match(previous)
        body = []
        index += 1
        while lines[index].strip() != "```":
            line = lines[index]
            assert index + 1 < len(lines), f"README.md:{start}: the block is never closed"
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            index += 1
        blocks.append(
            Block(
                line=start,
                info=opening["info"].strip(),
                text="\n".join(body) + "\n",
                skip_reason=marker["why"] if marker else None,
            )
        )
        index += 1
    return blocks


def shell_blocks(markdown: str) -> list[Block]:
    """The shell blocks, each with the output block that follows it, if any."""
    shells = []
    last = None
    for block in fenced_blocks(markdown):
        if block.language in SHELLS:
            shells.append(block)
            last = block
        elif block.info.split()[-1:] == ["output"]:
            assert last is not None and last.expected is None, f"README.md:{block.line}: output of which block?"
            assert last.skip_reason is None, f"README.md:{block.line}: output of a block that is not run"
            last.expected = block.text
            last = None
        else:
            last = None
    return shells


def normalized(text: str) -> str:
    text = re.sub(r"\s*([{}\[\],:…])\s*", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def output_mismatch(expected: str, actual: str) -> str | None:
    """Why ``actual`` is not what ``expected`` shows (`…` matching any text), or None when it is."""
    parts = normalized(expected).split("…")
    text = normalized(actual)
    if not text.startswith(parts[0]):
        return f"the output does not begin with {parts[0][:200]!r}"
    position = len(parts[0])
    for part in parts[1:-1]:
        found = text.find(part, position)
        if found < 0:
            return f"{part[:200]!r} is not in the output after {text[max(0, position - 100) : position]!r}"
        position = found + len(part)
    if len(parts) > 1 and not (text.endswith(parts[-1]) and len(text) - len(parts[-1]) >= position):
        return f"the output does not end with {parts[-1][:200]!r}"
    if len(parts) == 1 and text != parts[0]:
        return "the output has more than the README shows"
    return None


def runnable(block: Block, base_url: str) -> str:
    text = block.text.replace(DOCUMENTED_URL, base_url)
    # The environment running these tests is installed already: make must not reinstall it under them.
    return re.sub(r"^make ", "make -o .venv/.installed ", text, flags=re.MULTILINE)


def assigned_names(blocks: list[Block]) -> list[str]:
    """The shell variables the README's blocks set, carried from each block to the next."""
    # `NAME=$(…)` or `NAME=value` alone on its line; `NAME=value command` sets NAME for that command only.
    assignment = re.compile(r"^([A-Za-z_]\w*)=(?:\$\(|\S+$)", re.MULTILINE)
    return sorted({name for block in blocks for name in assignment.findall(block.text)})


def server_url(database: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}:{port}/{database}"


@pytest.fixture
def fresh_database():
    name = f"{settings.DATABASES['default']['NAME'].removeprefix('test_')}_readme_{uuid.uuid4().hex[:8]}"
    try:
        yield server_url(name)
    finally:
        with psycopg.connect(server_url("postgres"), autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_readme_declares_what_it_does_not_run():
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    skipped = [block for block in blocks if block.skip_reason]
    assert len(blocks) - len(skipped) >= 10, "most of the README's examples run"
    assert len(skipped) <= 5, [block.text for block in skipped]
    assert any(block.expected for block in blocks), "the README shows some of its output"


def test_an_output_block_matches_with_the_ellipsis_standing_for_any_text():
    assert output_mismatch('{"a": 1, "b": [\n  … "x" …]}', '{"a":1,"b":[0,"x",2]}') is None
    assert output_mismatch("…\n30 claims", "Generating client\n30 claims\n") is None
    assert output_mismatch('{"a": 1, …}', '{"a":2,"b":1}') is not None
    assert output_mismatch("one … three", "one two") is not None
    assert output_mismatch("one", "one two") is not None
    assert output_mismatch("a … b … c", "a b c b") is not None


@pytest.mark.slow
def test_the_readme_runs_as_written(fresh_database, tmp_path):
    blocks = shell_blocks(README.read_text(encoding="utf-8"))
    # A newcomer's terminal: manage.py's own default settings, and nothing of a `make test` running this test
    # (a variable given on its command line would reach every make below through MAKEFLAGS).
    outer = {"DJANGO_SETTINGS_MODULE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    env = {key: value for key, value in os.environ.items() if key not in outer}
    # Its own database, its own keys in a Redis the environment may name, and backups out of the checkout.
    env.update(
        DATABASE_URL=fresh_database,
        CACHE_KEY_PREFIX=f"readme-{uuid.uuid4().hex[:8]}",
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    made = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "fixtures"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stdout + made.stderr

    state = tmp_path / "state.sh"
    state.write_text("")
    carry = " ".join(assigned_names(blocks))
    log_path = tmp_path / "server.log"
    with runserver(env=env, log_path=log_path) as base_url:
        logged = 0
        for block in blocks:
            if block.skip_reason:
                continue
            script = tmp_path / f"block-{block.line}.sh"
            script.write_text(
                f"source {shlex.quote(str(state))}\nset -euo pipefail\n{runnable(block, base_url)}"
                f"for name in {carry}; do if [[ -v $name ]]; then declare -p $name; fi; done"
                f" > {shlex.quote(str(state))}\n"
            )
            result = subprocess.run(
                ["bash", str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
            where = f"README.md:{block.line}:\n{block.text}"
            assert result.returncode == 0, f"{where}exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            requests, logged = answered_requests(base_url, log_path, logged)
            assert requests or "curl" not in block.text, f"{where}the server logged none of its requests"
            failed = [(request, status) for request, status in requests if status >= 500]
            assert not failed, f"{where}a server error: {failed}"
            if block.expected is None:
                refused = [(request, status) for request, status in requests if status >= 400]
                assert not refused, f"{where}refused, and the README shows no output saying so: {refused}"
            else:
                mismatch = output_mismatch(block.expected.replace(DOCUMENTED_URL, base_url), result.stdout)
                assert mismatch is None, f"{where}{mismatch}\nit printed:\n{result.stdout}"


def answered_requests(base_url: str, log_path: Path, seen: int) -> tuple[list[tuple[str, int]], int]:
    """The requests the server logged since the ``seen``-th line, once it has logged a request of the test's own."""
    marker = f"/healthz?after-block={uuid.uuid4().hex}"
    urllib.request.urlopen(f"{base_url}{marker}", timeout=10)
    deadline = time.monotonic() + 10
    while True:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        if any(marker in line for line in lines[seen:]):
            break
        assert time.monotonic() < deadline, f"the server never logged {marker}:\n{chr(10).join(lines[seen:])}"
        time.sleep(0.05)
    found = [REQUEST_LOG.search(line) for line in lines[seen:]]
    requests = [(match["request"], int(match["status"])) for match in found if match and marker not in match[0]]
    return requests, len(lines)
