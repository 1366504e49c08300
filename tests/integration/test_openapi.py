"""schemathesis against the served /api/v1/openapi.json, through the app's WSGI interface.

Every generated request must get no 5xx and a response (status, content type, headers,
body) that the description allows; response schemas forbid undocumented properties, so a
new field or a leaked server path fails here until it is documented (or removed).
Examples are bounded to keep the run well under a minute.

Cases come from each operation's hypothesis strategy, inside one test per generation
mode: schemathesis' own ``from_fixture`` parametrization reads a pytest private
attribute that pytest 9 no longer has.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from indexer.config import Config
from search_web import create_app

#: Generated requests per operation and mode (four operations, two modes: about 150 requests).
MAX_EXAMPLES = 20


@pytest.fixture
def api_schema(demo_config: Config) -> Any:
    # no rate limit: the generated requests would soon be answered 429
    app = create_app(demo_config.replace(rate_limit=""))
    app.config["TESTING"] = True
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def operations(api_schema: Any) -> list[Any]:
    found = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in found} == {"/search", "/facets", "/suggest", "/documents/{id}"}
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_api_conforms_to_its_openapi_description(api_schema: Any, mode: GenerationMode) -> None:
    for operation in operations(api_schema):
        if mode is GenerationMode.NEGATIVE and operation.path == "/documents/{id}":
            continue  # any string is a valid id (unknown ones are 404): nothing invalid to generate

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            case.call_and_validate()

        check()


def test_real_documents_conform(api_schema: Any) -> None:
    """Generated ids mostly miss; fetch every real document once through the described operation."""
    search = api_schema["/search"]["GET"]
    document = api_schema["/documents/{id}"]["GET"]
    listing = search.Case(query={"page_size": 100}).call_and_validate().json()
    assert listing["hits"]
    for hit in listing["hits"]:
        response = document.Case(path_parameters={"id": hit["id"]}).call_and_validate()
        assert response.status_code == 200
