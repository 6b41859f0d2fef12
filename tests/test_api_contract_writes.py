"""The write API tells the truth too: a bounded schemathesis run over every documented write operation, with a
valid bearer token.

In :mod:`tests.test_api_contract` the token is never sent, so the write routes only ever answer 401 or 403. Here
every request carries the app's ``update_token`` (an all-roles principal), so the generated bodies (JSON, Turtle,
JSON-LD, SPARQL Update) reach the write path on an in-memory store: every answer must have a documented status and
media type, match its schema and never be a server error. The write rate is high enough that the run is never
rate-limited. A schema-valid body may rightly be refused (a reference to no entity, a taken IRI, a change already
reverted, a shape broken), so only the check that schema-valid data is accepted is left out.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import make_settings
from .contract import bounded, open_schema, running, says_what_went_wrong

TOKEN = "contract-test-writes-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

SERVICE, schema = open_schema(make_settings(update_token=TOKEN, write_rate="100000/minute"))
#: the write operations: the staff JSON API (create, correct, retire, revert) and SPARQL Update
WRITES = schema.include(method=["POST", "PATCH"], path_regex=r"^/(api/|sparql/update$)")


@pytest.fixture(scope="module")
def service() -> Iterator[TestClient]:
    """The service, with its lifespan running, for every operation of the run."""
    with running(SERVICE) as client:
        yield client


def test_the_run_covers_every_write_operation() -> None:
    operations = {(op.method.upper(), op.path) for op in (r.ok() for r in WRITES.get_all_operations())}
    assert operations == {
        ("POST", "/sparql/update"),
        ("POST", "/api/entities/{kind}"),
        ("PATCH", "/api/entities/{kind}/{slug}"),
        ("POST", "/api/entities/{kind}/{slug}/retirar"),
        ("POST", "/api/changes/{change_id}/revert"),
        ("POST", "/api/import/{kind}"),
    }


@WRITES.parametrize()
@bounded(max_examples=20)
def test_writes_answer_as_documented(case: schemathesis.Case, service: TestClient) -> None:
    case.call_and_validate(
        headers=AUTH, excluded_checks=[positive_data_acceptance], additional_checks=[says_what_went_wrong]
    )


@pytest.mark.parametrize("update", ["", "  \n", "# nothing to do", "PREFIX ga: <https://w3id.org/gakg/ontology#>"])
@pytest.mark.parametrize("media", ["application/sparql-update", "application/x-www-form-urlencoded"])
def test_an_update_with_no_operation_changes_nothing(service: TestClient, update: str, media: str) -> None:
    """SPARQL 1.1 allows an update with no operation. The fuzzer found it answered as an internal error (a 400
    saying "'list' object has no attribute 'algebra'": rdflib translates it to a bare list); it is a 204 that
    changes nothing."""
    writer = service.app.state.service.writer  # type: ignore[attr-defined]
    version = writer.version
    body = {"content": update} if media != "application/x-www-form-urlencoded" else {"data": {"update": update}}
    r = service.post("/sparql/update", headers={**AUTH, "Content-Type": media}, **body)
    assert r.status_code == 204, r.text
    assert writer.version == version
