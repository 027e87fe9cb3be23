"""Property-based fuzzing of every operation in our OpenAPI schema (schemathesis): valid and
invalid inputs generated from the schema, sent to a live server as an admin (the role that
reaches the most code); no answer may be a server error.

Bounded and reproducible: ``EXAMPLES`` examples per operation and generation mode, derandomized
(the same inputs on every run), no example database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES = 20


@pytest.mark.slow
def test_no_operation_answers_with_a_server_error(server_factory) -> None:
    live = server_factory(load_reference_ontologies=False, enable_update=True)
    token = live.token()
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    failures: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                response = case.call(base_url=live.url, headers=headers, timeout=60)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                fuzz()
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, or only free-form strings)
            except Exception as exc:  # collect every operation's failure, then report all
                failures[f"{operation.label} ({mode.value})"] = str(exc)[:2000]
    assert operations >= 10, f"only {operations} operations in the schema"
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
