"""A hostile partner's probe (issue 14, "Done when"): every route and method, as anonymous and
as every role, with malformed and hostile paths, parameters, headers and bodies, against the
service running as its own process on an on-disk store holding a real passport.

Asserted for every answer: no 5xx; a 4xx says what was wrong (problem JSON with a detail, or
an HTML error page); nothing of the server's internals (tracebacks, source paths) and no value
of an access group the caller may not read appears in any answer. After the sweep the process
is alive, answers /health, and its memory did not run away.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from rdflib import Literal, URIRef

from bench.hostile_graphs import as_passport, triangles, two_cycles
from graph_service.api.app import create_app
from graph_service.config import REPO_ROOT, Settings
from graph_service.container import build_services
from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.services.access import Principal, Role
from graph_service.services.access.datasets import readable_groups
from graph_service.store.oxigraph import OxigraphStore
from tests.conftest import register_test_organisations
from tests.hardening.conftest import MINTER, ServedStore, passport_body
from tests.security.documents import BATTERY, ENTITY_BOMB, EXTERNAL_ENTITY
from tests.security.routes import application_routes

GOOD_ID = "BP-000001"
LEAKS = ("Traceback", 'File "', "site-packages", "graph_service/", str(REPO_ROOT))
CALLERS = ["anonymous", *(role.value for role in Role if role is not Role.PUBLIC)]

# -- what goes into the path parameters --------------------------------------------------------
HOSTILE_IDS = [GOOD_ID, "BP-999999", f"{GOOD_ID}%0A", "BP%2F..%2F..%2Fetc", "%2e%2e", "a%00b",
               "%D0%92%D0%A0-000001", "x" * 300, "%3Cscript%3E"]
HOSTILE_ID_PATHS = ["battery/" + GOOD_ID, "battery/" + GOOD_ID + "/q/rated-capacity",
                    "..%2F..%2Fetc%2Fpasswd", "battery/%0A", "org/%00", "x%3Cscript%3E",
                    "battery//evil.example", "%E2%80%A8"]
HOSTILE_QUERY = [
    "",
    "?limit=-1&offset=abc&page=0&size=99999999999999999999",
    "?timeout=NaN&graph=..&default&battery=%0A&node=javascript:alert(1)&format=xml",
    "?query=SELECT%20*%20WHERE%20%7B&riskLevel=%3Cscript%3E&chemistry=%00",
    "?battery=BP-000001&number=-1&dry_run=maybe&format=catenax",
    "?graph=http://127.0.0.1:8000/graph/battery/BP-000001/identity",
]
HOSTILE_HEADERS: list[dict[str, str]] = [
    {},
    {"Accept": "application/x-nonsense;q=bogus, */*;q=-1"},
    {"Accept": "text/html"},
    {"Content-Type": ";;;===", "Accept-Language": "x" * 4000},
    {"X-Request-ID": "../../etc/passwd", "X-Forwarded-For": "127.0.0.1, evil",
     "Origin": "http://evil.example", "Cookie": "dbp_session=" + "A" * 3000},
]

# -- bodies -------------------------------------------------------------------------------------
TTL = "text/turtle"
JSONLD = "application/ld+json"
JSON = "application/json"


def _nested(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


HOSTILE_BODIES: list[tuple[str, bytes, str]] = [
    ("turtle garbage", b"@@@ not turtle", TTL),
    ("turtle cut off", b"@prefix ex: <http://x/> . ex:a ex:b", TTL),
    ("NUL in an IRI", b'<http://x/a\x00> <http://x/p> "o" .', TTL),
    ("space in an IRI", b'<http://exa mple/a> <http://x/p> "o" .', TTL),
    ("javascript IRI", b'<javascript:alert(1)> <http://x/p> "o" .', TTL),
    ("invalid utf-8", b'<http://x/a> <http://x/p> "\xff\xfe" .', TTL),
    ("200 kB literal", f'<{BATTERY}> <http://x/p> "'.encode() + b"x" * 200_000 + b'" .', TTL),
    ("foreign battery", f"<{MINTER.battery('BP-000002')}> a "
     "<https://w3id.org/emmo/domain/battery#battery_be3b35a7_75a3_4be0_9265_beb178ea7b00> ; "
     f"<https://w3id.org/dbp#manufacturer> <{MINTER.organisation('evil')}> .".encode(), TTL),
    ("system graph in n-quads",
     f'<{BATTERY}> <http://x/p> "o" <http://127.0.0.1:8000/graph/audit> .'.encode(),
     "application/n-quads"),
    ("rdf/xml entity bomb", ENTITY_BOMB, "application/rdf+xml"),
    ("rdf/xml external entity", EXTERNAL_ENTITY, "application/rdf+xml"),
    ("rdf/xml unclosed", b"<rdf:RDF", "application/rdf+xml"),
    ("json-ld cut off", b'{"@context": ', JSONLD),
    ("json-ld remote context", b'{"@context": "http://169.254.169.254/latest", "@id": "x"}',
     JSONLD),
    ("json-ld scoped remote context",
     b'{"@context": {"p": {"@id": "http://x/p", "@context": "http://169.254.169.254/"}},'
     b' "@id": "http://x/a", "p": {"@id": "http://x/b"}}', JSONLD),
    ("json-ld javascript id", b'{"@id": "javascript:alert(1)", "http://x/p": "o"}', JSONLD),
    ("json nested 5000", _nested(5000), JSONLD),
    ("json arrays nested 100000", b"[" * 100_000 + b"]" * 100_000, JSON),
    ("json NaN and huge numbers", b'{"batteryId": NaN, "x": 1e999999}', JSON),
    ("json not an object", b'"just a string"', JSON),
    ("blank-node triangles",
     as_passport(triangles(8), URIRef(BATTERY)).serialize(format="turtle").encode(), TTL),
    ("blank-node 2-cycles",
     as_passport(two_cycles(10), URIRef(BATTERY)).serialize(format="nt").encode(),
     "application/n-triples"),
    ("sparql reaching for other graphs",
     b"SELECT * FROM NAMED <http://127.0.0.1:8000/graph/audit> WHERE { GRAPH ?g { ?s ?p ?o } }",
     "application/sparql-query"),
    ("sparql service", b"SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }",
     "application/sparql-query"),
    ("sparql update", b"DROP ALL", "application/sparql-update"),
    ("sparql update load", b"LOAD <file:///etc/passwd>", "application/sparql-update"),
    ("form garbage", b"query=%ZZ&update=%00&token=" + b"a" * 5000,
     "application/x-www-form-urlencoded"),
    ("unknown content type", b"x", "application/x-unknown"),
    ("empty", b"", TTL),
]
# Bodies that are parsed and validated in full (SHACL, a few hundred ms each): sent by fewer
# callers, to keep the probe under a minute; every caller gets all the others.
EXPENSIVE = {body for name, body, _ in HOSTILE_BODIES
             if name in ("blank-node triangles", "blank-node 2-cycles", "200 kB literal")}
EXPENSIVE_CALLERS = {"anonymous", "oem", "admin"}
# Requests with a body go to these; the rest of the sweep sends no body.
BODY_METHODS = {"POST", "PUT"}


@dataclass
class Probe:
    server: ServedStore
    tokens: dict[str, str | None]
    markers: dict[AccessGroup, set[str]]
    # The access groups of the probed battery each caller reads (its role, the access policy
    # and the battery's custody record: the OEM and operator callers hold other batteries).
    readable: dict[str, frozenset[AccessGroup]]

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens[caller]
        return {"Authorization": f"Bearer {token}"} if token else {}


def _markers(store: OxigraphStore, layout: GraphLayout) -> dict[AccessGroup, set[str]]:
    """Distinctive literals that only the views above public hold: if one appears in an answer
    to a caller who may not read that view, data leaked."""
    seen_below: set[str] = set()
    markers: dict[AccessGroup, set[str]] = {}
    for group in (AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST, AccessGroup.AUTHORITY):
        values = {str(o) for _, _, o in store.graph(layout.view(group))
                  if isinstance(o, Literal) and len(str(o)) >= 12 and not str(o)[0].isdigit()}
        markers[group] = values - seen_below
        seen_below |= values
    return markers


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    directory: Path = tmp_path_factory.mktemp("probe")
    store_path = directory / "store"
    settings = Settings(_env_file=None, environment="test", store=str(store_path),  # type: ignore[call-arg]
                        base_iri="http://127.0.0.1:8000/", load_reference_ontologies=False,
                        enable_update=True)
    store = OxigraphStore(store_path)
    try:
        services = build_services(settings, store)
        register_test_organisations(services)
        tokens: dict[str, str | None] = {"anonymous": None}
        readable: dict[str, frozenset[AccessGroup]] = {}
        passport = passport_body(1)
        admin = services.principals.create(Role.ADMIN, "ops")
        services.ingest.submit(passport, TTL, principal=admin.principal)
        custody = services.custody.record(GOOD_ID)
        for caller in CALLERS:
            role = Role.PUBLIC if caller == "anonymous" else Role(caller)
            if caller != "anonymous":
                tokens[caller] = services.principals.create(role, f"{caller}-org").token
            readable[caller] = readable_groups(Principal(caller, role, f"{caller}-org"),
                                               custody, services.sparql.policy)
        markers = _markers(store, services.layout)
        services.sparql.shutdown()
    finally:
        store.close()
    assert markers[AccessGroup.LEGITIMATE_INTEREST], "the passport has no restricted values"
    server = ServedStore(store_path, directory, DBP_ENABLE_UPDATE="true",
                         DBP_LOAD_REFERENCE_ONTOLOGIES="false")
    server.start()
    try:
        yield Probe(server, tokens, markers, readable)
    finally:
        server.stop()


def _forbidden_markers(probe: Probe, caller: str) -> set[str]:
    readable = probe.readable[caller]
    return {m for group, values in probe.markers.items() if group not in readable
            for m in values}


def _requests(routes: list[tuple[str, str]]) -> Iterator[tuple[str, str, bytes | None,
                                                                  dict[str, str]]]:
    """(method, url, body, headers) for every route: hostile path parameters, query strings
    and headers; hostile bodies for the routes that take one."""
    for method, template in routes:
        if template in ("/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"):
            continue
        paths = [template]
        if "{battery_id}" in template:
            paths = [template.replace("{battery_id}", i) for i in HOSTILE_IDS]
        elif "{path}" in template:
            prefix = "/ui/" if template.startswith("/ui/") else "/id/"
            paths = [prefix + p for p in HOSTILE_ID_PATHS]
        elif "{gtin}" in template:
            paths = ["/01/04012345678901/21/SER%0A", "/01/%00/21/x", "/01/1/21/" + "9" * 500]
        paths = [p.replace("{number}", "1") for p in paths]
        for index, path in enumerate(paths):
            query = HOSTILE_QUERY[index % len(HOSTILE_QUERY)]
            headers = HOSTILE_HEADERS[index % len(HOSTILE_HEADERS)]
            yield method, path + query, None, headers
        if method in BODY_METHODS and "{" not in template:
            for _, body, media_type in HOSTILE_BODIES:
                yield method, template + HOSTILE_QUERY[4 if template == "/import" else 0], \
                    body, {"Content-Type": media_type}
        elif method in BODY_METHODS:
            yield method, paths[0], b'{"outcome": "<script>", "x": ' + _nested(50) + b"}", \
                {"Content-Type": JSON}


def _problems(response: httpx.Response, forbidden: set[str]) -> list[str]:
    found = []
    text = response.text
    if response.status_code >= 500:
        found.append(f"status {response.status_code}")
    for leak in LEAKS:
        if leak in text:
            found.append(f"internals {leak!r}")
    leaked = [m for m in forbidden if m in text]
    if leaked:
        found.append(f"restricted values {leaked[:3]}")
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", "")
        if content_type.startswith("application/problem+json"):
            body = json.loads(text)
            if not (isinstance(body.get("detail"), str) and body["detail"].strip()):
                found.append("problem without a detail")
        elif content_type.startswith("application/json") and response.status_code == 422:
            body = json.loads(text)  # the SHACL report of a passport that does not conform
            if not (isinstance(body.get("violations"), list) and body.get("detail")):
                found.append("validation report without violations and a detail")
        elif content_type.startswith("text/html"):
            if "<h1" not in text:
                found.append("HTML error without a heading")
        else:
            found.append(f"4xx as {content_type!r}")
    return found


@pytest.mark.timeout(600)
def test_hostile_probe_finds_no_5xx_no_leak_and_no_process_death(probe: Probe) -> None:
    assert probe.server.process is not None
    process = psutil.Process(probe.server.process.pid)
    routes = application_routes(create_app(Settings(
        _env_file=None, environment="test", store=":memory:",  # type: ignore[call-arg]
        load_reference_ontologies=False)))
    requests = list(_requests(routes))
    failures: list[str] = []
    sent = 0
    with httpx.Client(base_url=probe.server.url, timeout=60) as client:
        client.get("/health")
        rss_before = process.memory_info().rss
        for caller in CALLERS:
            forbidden = _forbidden_markers(probe, caller)
            auth = probe.headers(caller)
            for method, url, body, headers in requests:
                if body in EXPENSIVE and caller not in EXPENSIVE_CALLERS:
                    continue
                response = client.request(method, url, content=body,
                                          headers={**headers, **auth})
                sent += 1
                for problem in _problems(response, forbidden):
                    failures.append(f"{caller} {method} {url[:120]} -> {problem}")
        assert client.get("/health").status_code == 200
        rss_after = process.memory_info().rss
    assert probe.server.process.poll() is None, "the server process died"
    assert not failures, f"{len(failures)} of {sent} answers:\n" + "\n".join(failures[:40])
    assert sent > 3500
    assert rss_after - rss_before < 300 * 1024 * 1024, (rss_before, rss_after)

