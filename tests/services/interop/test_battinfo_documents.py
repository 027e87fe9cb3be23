"""Realistic BattINFO JSON-LD documents (tests/data/battinfo/*.json, written from the published
BattINFO / EMMO contexts and cell and pack datasheets, sources in tests/data/battinfo/README.md):
each imports (mapping -> SHACL -> commit), holds exactly its reviewed EMMO / BattINFO / dbp
triples (tests/data/battinfo/expected/), names its manufacturer without describing it, and a
re-import of the same bytes changes nothing. The documents of tests/data/battinfo/refused/ are
refused with a message saying what and where, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import XSD

from graph_service.container import Services
from graph_service.model.namespaces import DBP
from graph_service.services.access import Principal, Role
from graph_service.services.interop.battinfo.importer import BATTERY_CONTEXT
from graph_service.services.interop.errors import DocumentError
from graph_service.services.passports.ingest import PassportRejected
from tests.conftest import make_settings
from tests.services.interop.support import semantic_subgraph, services_reading

DATA = Path(__file__).resolve().parents[2] / "data" / "battinfo"
ADMIN = Principal("t", Role.ADMIN)
PORTABLE = URIRef("https://w3id.org/dbp/vocab/category/portable")

# file -> battery id (from the serial number, made to follow the identifier rules)
DOCUMENTS = {
    "coin-cr2032.json": "CR2032-L17-000412",
    "cylindrical-18650-nmc.json": "KC35N-2403-118204",
    "cylindrical-21700-blank-node.json": "ZC-P42-2407-003391",
    "pouch-nmc811.json": "OC-P78-2311-00871",
    "prismatic-lfp-280ah.json": "24061500213",
    "ev-pack-modules.json": "WDP7700000000412",
    "stationary-lfp-pack.json": "FS51V100-2402-7781",
    "ebike-pack-graph.json": "NX500-36V14-000918",
    "upstream-style-lfp-18650.json": "B7729-0044",
    "unknown-terms.json": "KU50E-00031",
    "edge-values-sodium-ion.json": "NA---0001-B-1d3f32c7",  # "NA-Ω-0001 / B" + SHA-256
}

# file -> (error class, text the message holds: what was wrong and where)
REFUSED = {
    "no-battery.json": (DocumentError, "describes no battery"),
    "unusable-id.json": (DocumentError,
                         "schema:serialNumber '\u2116 \uff0f ///' has no character usable"),
    "not-a-date.json": (DocumentError, "schema:productionDate 'spring 2024' is not a date"),
    "impossible-date.json": (DocumentError, "schema:productionDate '2023-02-29' is not a date"),
    "unknown-context.json": (DocumentError, "'https://w3id.org/battinfo/context/v2.jsonld' is "
                                            "not available locally and is never fetched"),
    "two-batteries.json": (DocumentError, "describes 2 separate batteries"),
    "nan-id.json": (DocumentError, "$['@id']: NaN is not a JSON number"),
    "relative-iri.json": (DocumentError, "$['@id']: 'cells/CR2032-L19-000004' is a relative IRI"),
    "relative-unit.json": (DocumentError, "$.hasProperty[0].hasMeasurementUnit: 'Volt' is a "
                                          "relative IRI"),
    "unregistered-manufacturer.json": (PassportRejected,
                                       "organisation Nobody-Registered-Ltd is not registered"),
    "number-as-text.json": (DocumentError, "A quantity needs exactly one number"),
    "no-category.json": (DocumentError, "Exactly one battery category"),
}


@pytest.fixture(scope="module")
def services() -> Services:
    context = make_settings().ontology_dir / "domain-battery" / "context" / "context.json"
    return services_reading(context, f"reference ontologies not installed: the BattINFO context "
                                     f"{BATTERY_CONTEXT} is read from {context}")


def comparable(graph: Graph) -> Graph:
    """The importer's node IRIs (…/node/HASH) as blank nodes, numbers in canonical form."""
    def term(node):
        if isinstance(node, URIRef) and "/node/" in str(node):
            return BNode(str(node).rsplit("/", 1)[-1])
        if isinstance(node, Literal) and node.datatype in (XSD.double, XSD.decimal,
                                                           XSD.integer):
            return Literal(node.toPython(), datatype=node.datatype)
        return node

    result = Graph()
    for triple in graph:
        result.add(tuple(term(t) for t in triple))  # type: ignore[arg-type]
    return result


def stored_semantic_graph(services: Services, bid: str) -> Graph:
    return comparable(semantic_subgraph(services.imports.stored_graph(bid)))


def import_file(services: Services, path: Path):
    return services.imports.import_document(path.read_bytes(), "battinfo", ADMIN)


def test_at_least_ten_documents_are_checked() -> None:
    assert len(DOCUMENTS) >= 10
    assert {p.name for p in DATA.glob("*.json")} == set(DOCUMENTS)
    assert {p.name for p in (DATA / "expected").glob("*.ttl")} == {
        n.removesuffix(".json") + ".ttl" for n in DOCUMENTS}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_document_imports_with_its_expected_graph(name: str, services: Services) -> None:
    result = import_file(services, DATA / name)
    assert result.battery_id == DOCUMENTS[name]
    assert result.ingest.committed and result.ingest.report.conforms

    stored = stored_semantic_graph(services, result.battery_id)
    expected = comparable(Graph().parse(DATA / "expected" / f"{name.removesuffix('.json')}.ttl"))
    if not isomorphic(stored, expected):
        _, only_stored, only_expected = graph_diff(to_isomorphic(stored),
                                                   to_isomorphic(expected))
        pytest.fail(f"stored but not expected:\n{only_stored.serialize(format='nt')}\n"
                    f"expected but not stored:\n{only_expected.serialize(format='nt')}")


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_reimporting_the_same_bytes_changes_nothing(name: str, services: Services) -> None:
    import_file(services, DATA / name)
    before = services.store.count()
    graph = stored_semantic_graph(services, DOCUMENTS[name])
    again = import_file(services, DATA / name)
    assert not again.ingest.committed
    assert services.store.count() == before
    assert isomorphic(stored_semantic_graph(services, DOCUMENTS[name]), graph)


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_a_document_names_its_manufacturer_without_describing_it(
        name: str, services: Services) -> None:
    result = import_file(services, DATA / name)
    stored = services.imports.stored_graph(result.battery_id)
    organisations = str(services.minter.organisation("x"))[:-1]
    assert not [s for s in stored.subjects() if str(s).startswith(organisations)]
    makers = list(stored.objects(services.minter.battery(result.battery_id), DBP.manufacturer))
    assert len(makers) == 1 and str(makers[0]).startswith(organisations)
    warnings = " ".join(w.message for w in result.warnings)
    assert "the organisation must be registered" in warnings


@pytest.mark.parametrize("name", list(REFUSED))
def test_unusable_document_is_refused_saying_what_and_where(name: str,
                                                            services: Services) -> None:
    error, text = REFUSED[name]
    before = services.store.count()
    with pytest.raises(error) as caught:
        import_file(services, DATA / "refused" / name)
    problems = [str(p) for p in getattr(caught.value, "problems", [])]
    assert text in "\n".join([str(caught.value), *problems])
    assert services.store.count() == before
    assert "Traceback" not in str(caught.value)


def test_regression_undefined_keys_and_types_were_dropped_silently(services: Services) -> None:
    """JSON-LD drops a key the context does not define and resolves an undefined @type against
    the server's address (http://127.0.0.1:8000/CylindricalCell was stored as a class): each is
    now left out with a warning at its JSON path."""
    result = import_file(services, DATA / "unknown-terms.json")
    undefined = {w.path: w.message for w in result.warnings if "not defined" in w.message}
    assert set(undefined) == {"$['@type'][2]", "$.cellChemistry", "$.warrantyYears",
                              "$.hasProperty[2].measuredAt"}
    assert all(w.line is not None for w in result.warnings if w.path in undefined)
    stored = services.imports.stored_graph(result.battery_id)
    base = services.settings.base_iri
    invented = {t for triple in stored for t in triple if isinstance(t, URIRef)
                and str(t).startswith(base) and not str(t).startswith(f"{base}id/")}
    assert invented == set()
    # The received document, stored with the passport, still holds what was left out.
    assert '"warrantyYears": 3' in "".join(
        str(o) for o in stored.objects(None, DBP.documentText))


def test_regression_relative_iri_was_resolved_against_the_server_address(
        services: Services) -> None:
    """A relative @id became an IRI under our own address (…:8000/cells/…)."""
    before = services.store.count()
    with pytest.raises(DocumentError) as caught:
        import_file(services, DATA / "refused" / "relative-iri.json")
    assert caught.value.path == "$['@id']"
    assert services.store.count() == before


def test_regression_cr2032_was_not_recognised_as_a_coin_cell(services: Services) -> None:
    """CR2032 is a coin cell only through CoinCell's definition (hasCase some CoinCase) and
    CR2032's case restriction (hasCase some R2032); without that the coin cell lacked its
    portable category and was refused."""
    document = json.loads((DATA / "coin-cr2032.json").read_text(encoding="utf-8"))
    del document["hasCase"]  # the case now comes from the class alone
    document["schema:serialNumber"] = "CR2032-L17-000413"
    result = services.imports.import_document(json.dumps(document).encode(), "battinfo", ADMIN)
    assert result.ingest.committed
    battery = services.minter.battery(result.battery_id)
    stored = services.imports.stored_graph(result.battery_id)
    assert (battery, DBP.batteryCategory, PORTABLE) in stored


def test_regression_product_id_named_every_battery_of_a_product(services: Services) -> None:
    """schema:productID names a product (all its batteries), schema:serialNumber one battery:
    two cells of one product became one passport, the second overwriting the first."""
    document = json.loads((DATA / "cylindrical-18650-nmc.json").read_text(encoding="utf-8"))
    ids = set()
    for serial in ("KC35N-2403-200001", "KC35N-2403-200002"):
        document["schema:serialNumber"] = serial
        document["@id"] = f"urn:example:cell:{serial}"
        result = services.imports.import_document(json.dumps(document).encode(), "battinfo",
                                                  ADMIN)
        assert result.ingest.committed
        ids.add(result.battery_id)
    assert ids == {"KC35N-2403-200001", "KC35N-2403-200002"}


def test_regression_nan_was_reported_at_an_internal_position(services: Services) -> None:
    """"@id": NaN was reported as "Parser error at line 1 column 490584", a position in the
    importer's own re-serialisation; now the JSON path of the value."""
    with pytest.raises(DocumentError) as caught:
        import_file(services, DATA / "refused" / "nan-id.json")
    assert caught.value.path == "$['@id']"
    assert "column" not in str(caught.value)
