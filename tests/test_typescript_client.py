"""The TypeScript client: openapi-typescript generates types from openapi.yaml, `tsc --strict` compiles a small
program written against them (tests/typescript/claims.ts), and the compiled program works against a live server.

The program reads response fields without `!` and without checks, so a field the server always sends but the
schema leaves optional fails the compilation; it also asserts (``@ts-expect-error``) that a create without a
quote is a type error. The types come from `make client-ts`; the tools are pinned by package.json and package-lock.json.
"""

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from apps.core.api.errors import PROBLEM_TYPE_PREFIX
from tests.test_openapi import _published_claims

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "tests" / "typescript"
GENERATED = PROGRAM / "generated"  # ignored by git
BIN = ROOT / "node_modules" / ".bin"

pytestmark = pytest.mark.slow


def _run(*command: str) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"
    return result


@pytest.fixture(scope="module")
def generated_types() -> Path:
    """`make client-ts` (which installs the pinned tools first when needed) into the program's folder."""
    _run("make", "--no-print-directory", "client-ts", f"TS_CLIENT_DIR={GENERATED}")
    return GENERATED / "api.d.ts"


def test_a_strict_program_compiles_against_the_generated_client(generated_types):
    assert "ClaimCreateRequest" in generated_types.read_text()
    _run(str(BIN / "tsc"), "--project", str(PROGRAM), "--strict", "--noEmit")


def _compile_alone(folder: Path, program: str, api: str) -> subprocess.CompletedProcess:
    """Type-check ``program`` against the types ``api`` in ``folder`` (inside the project, so that openapi-fetch
    is found in its node_modules), with the compiler options of tests/typescript."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "api.d.ts").write_text(api)
    (folder / "program.ts").write_text(program)
    config = {"extends": str(PROGRAM / "tsconfig.json"), "files": ["program.ts"]}
    (folder / "tsconfig.json").write_text(json.dumps(config))
    command = [str(BIN / "tsc"), "--project", str(folder), "--strict", "--noEmit"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_the_readme_example_compiles(generated_types):
    example = (ROOT / "README.md").read_text().split("```ts\n", 1)[1].split("```", 1)[0]
    assert 'from "./clients/typescript/api"' in example
    program = example.replace("./clients/typescript/api", "./api")
    result = _compile_alone(GENERATED / "readme", program, generated_types.read_text())
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_field_the_schema_left_optional_would_fail_the_build(generated_types):
    """The check above has teeth: the same program does not compile against a schema that loosens one field."""
    loosened = generated_types.read_text().replace(
        'source: components["schemas"]["SourceBrief"];', 'source?: components["schemas"]["SourceBrief"];', 1
    )
    program = (PROGRAM / "claims.ts").read_text().replace("./generated/api", "./api")
    result = _compile_alone(GENERATED / "loosened", program, loosened)
    assert result.returncode != 0
    assert "'claim.source' is possibly 'undefined'" in result.stdout


DRIVER = """
const program = await import(process.argv[1]);
const [baseUrl, token] = process.argv.slice(2);
const api = program.connect(baseUrl);
const claims = await program.listAll(api, 2);
const problem = await program.badQuery(api);
const created = await program.create(api, token);
console.log(JSON.stringify({
  ids: claims.map((claim) => claim.id),
  first: program.describe(claims[0]),
  problem,
  explained: program.explain(problem),
  created: { id: created.id, url: created.url, review_status: created.review_status, anchor: created.anchor },
}));
"""


def test_the_compiled_program_lists_follows_next_reads_errors_and_creates(generated_types, live_api):
    built = GENERATED / "js"
    _run(str(BIN / "tsc"), "--project", str(PROGRAM), "--noEmit", "false", "--outDir", str(built))
    (built / "package.json").write_text('{"type": "module"}\n')
    module = (built / "claims.js").as_uri()
    result = _run("node", "--input-type=module", "--eval", DRIVER, module, live_api["base_url"], live_api["token"])
    out = json.loads(result.stdout)
    created = out["created"]
    try:
        # Two claims a page: the program only gets them all by following `next`.
        expected = _published_claims(live_api["base_url"], "kind=troop_deployment&country=UA")
        assert len(expected) > 2
        assert out["ids"] == [claim["id"] for claim in expected]
        assert out["first"].startswith(f"#{expected[0]['id']} troop_deployment/{expected[0]['status']}")

        problem = out["problem"]
        assert problem["status"] == 400 and problem["type"] == f"{PROBLEM_TYPE_PREFIX}invalid"
        assert {(error["field"], error["in"]) for error in problem["errors"]} == {("as_of", "query")}
        assert out["explained"].startswith("400 Bad Request")

        assert created["review_status"] == "draft"
        assert created["anchor"]["exact"] == "Russia has amassed over 100,000 troops around Ukraine"
    finally:
        remove = urllib.request.Request(
            created["url"], headers={"Authorization": f"Token {live_api['token']}"}, method="DELETE"
        )
        with urllib.request.urlopen(remove, timeout=10) as response:
            assert response.status == 204
