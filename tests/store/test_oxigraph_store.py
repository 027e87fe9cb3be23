"""The store contract, and what only the embedded adapter does.

``TestStoreContract`` states what every ``GraphStore`` adapter promises the layers above it. It
runs here against the embedded pyoxigraph adapter in memory and on disk (RocksDB), and in
``test_remote_store.py`` against a real ``oxigraph serve`` through the remote adapter. The
functions after the class cover the embedded adapter only: persistence across reopening,
flush/close, timeouts, backups.

Round trips are checked with independent parsers (rdflib, json, csv), never by comparing the
adapter's output with itself.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result
from rdflib.term import Variable

from graph_service.store.base import (
    ChangeSet,
    GraphStore,
    QuadPattern,
    QueryEvaluationError,
    QueryKind,
    QuerySyntaxError,
    QueryTimeout,
    RdfFormat,
    RdfSyntaxError,
    ResultFormat,
    ResultTooLarge,
    StoreError,
    UnsupportedFormat,
)
from graph_service.store.oxigraph import OxigraphStore
from graph_service.store.parsing import parse_rdf
from graph_service.store.virtuoso import STORE_DEFAULT_GRAPH

EX = Namespace("http://example.org/")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
G_A = EX["graph/a"]
G_B = EX["graph/b"]
G_C = EX["graph/c"]

# One cell, with the literal shapes that break serialisers: language tags, a datatype, quotes,
# a comma, a newline and a tab in one string, and a blank node.
SAMPLE_TTL = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:cell1 a ex:Cell ;
    ex:label "Zelle"@de, "cell"@en ;
    ex:capacity "52.5"^^xsd:decimal ;
    ex:note "said \\"hi\\", then\\nleft;\\ttab" ;
    ex:madeBy [ ex:name "ACME, Inc." ] .
"""
NOTE = 'said "hi", then\nleft;\ttab'
SAMPLE_SIZE = 7

RDFLIB_FORMAT = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.N_TRIPLES: "nt",
    RdfFormat.N_QUADS: "nquads",
    RdfFormat.TRIG: "trig",
    RdfFormat.JSON_LD: "json-ld",
    RdfFormat.RDF_XML: "xml",
}


def sample_graph() -> Graph:
    return Graph().parse(data=SAMPLE_TTL, format="turtle")


def sample_document(fmt: RdfFormat) -> bytes:
    """The sample in ``fmt``, written by rdflib (not by the engine under test)."""
    graph = sample_graph()
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):  # a Turtle document is a TriG document
        return SAMPLE_TTL.encode()
    if fmt is RdfFormat.N_QUADS:  # an N-Triples document is an N-Quads document
        return graph.serialize(format="nt", encoding="utf-8")
    return graph.serialize(format=RDFLIB_FORMAT[fmt], encoding="utf-8")


# Each document has two well-formed statements before an error on line 3.
MALFORMED = {
    RdfFormat.TURTLE: b"@prefix ex: <http://example.org/> .\nex:a ex:p ex:o .\nex:b ex:p .\n",
    RdfFormat.N_TRIPLES: (
        b"<http://example.org/a> <http://example.org/p> <http://example.org/o> .\n"
        b"<http://example.org/b> <http://example.org/p> <http://example.org/o> .\n"
        b"<http://example.org/c> <http://example.org/p> .\n"
    ),
    RdfFormat.N_QUADS: (
        b"<http://example.org/a> <http://example.org/p> <http://example.org/o> .\n"
        b"<http://example.org/b> <http://example.org/p> <http://example.org/o> "
        b"<http://example.org/g> .\n"
        b"<http://example.org/c> <http://example.org/p> <http://example.org/o> "
        b"<http://example.org/g> <http://example.org/extra> .\n"
    ),
    RdfFormat.TRIG: (
        b"@prefix ex: <http://example.org/> .\nex:g { ex:a ex:p ex:o . }\nex:h { ex:b ex:p }\n"
    ),
    RdfFormat.JSON_LD: (
        b'[{"@id": "http://example.org/a", "http://example.org/p": {"@id": "http://ex/o"}},\n'
        b' {"@id": "http://example.org/b", "http://example.org/p": "x"},\n'
        b' {"@id": "http://example.org/c", "http://example.org/p": }]\n'
    ),
    RdfFormat.RDF_XML: (
        b'<?xml version="1.0"?>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns:ex="http://example.org/">\n'
        b'<rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:q></rdf:Description>\n'
        b"</rdf:RDF>\n"
    ),
}
# RDF/XML errors come from an XML reader that reports no position.
FORMATS_WITH_POSITIONS = [f for f in RdfFormat if f is not RdfFormat.RDF_XML]


def snapshot(store: GraphStore) -> list[str]:
    """The whole store as sorted N-Quads lines (for stores without blank nodes)."""
    return sorted(store.dump(RdfFormat.N_QUADS).decode().splitlines())


def default_graph_of(store: GraphStore) -> Graph:
    graph = Graph()
    for triple in store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples():
        graph.add(triple)
    return graph


def subjects(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(row["s"]) for row in result.rows()}


def unify_bnodes(term):  # type: ignore[no-untyped-def]
    """Blank-node labels are the engine's; compare blank nodes by position only."""
    return BNode("b") if isinstance(term, BNode) else term


def three_graphs(store: GraphStore) -> None:
    """ex:d in the default graph, ex:a in graph A, ex:b in graph B."""
    store.apply(ChangeSet(insert=[
        (EX.d, EX.p, EX.o, None),
        (EX.a, EX.p, EX.o, G_A),
        (EX.b, EX.p, EX.o, G_B),
    ]))


class TestStoreContract:
    """What every adapter promises. Subclasses override the ``store`` fixture."""

    @pytest.fixture
    def store(self, embedded_store: OxigraphStore) -> GraphStore:
        return embedded_store

    @pytest.fixture
    def sample_store(self, store: GraphStore) -> GraphStore:
        """The sample cell in the default graph."""
        store.load(SAMPLE_TTL.encode(), RdfFormat.TURTLE)
        return store

    # -- load --------------------------------------------------------------------------------
    @pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
    def test_load_each_format_into_a_named_graph(self, store: GraphStore, fmt: RdfFormat):
        loaded = store.load(sample_document(fmt), fmt, graph=G_A)

        assert loaded == SAMPLE_SIZE
        assert store.count(G_A) == SAMPLE_SIZE
        assert store.count() == SAMPLE_SIZE  # nothing landed in the default graph
        assert store.graphs() == [G_A]
        assert isomorphic(store.graph(G_A), sample_graph())

    def test_load_without_graph_fills_the_default_graph(self, store: GraphStore):
        store.load(SAMPLE_TTL.encode(), RdfFormat.TURTLE)

        assert store.graphs() == []
        assert store.count() == SAMPLE_SIZE
        assert isomorphic(default_graph_of(store), sample_graph())

    @pytest.mark.parametrize("fmt, document", [
        (RdfFormat.TRIG,
         b"@prefix ex: <http://example.org/> .\n"
         b"ex:a ex:p ex:o .\n"
         b"<http://example.org/graph/b> { ex:b ex:p ex:o . ex:c ex:p ex:o . }\n"),
        (RdfFormat.N_QUADS,
         b"<http://example.org/a> <http://example.org/p> <http://example.org/o> .\n"
         b"<http://example.org/b> <http://example.org/p> <http://example.org/o>"
         b" <http://example.org/graph/b> .\n"
         b"<http://example.org/c> <http://example.org/p> <http://example.org/o>"
         b" <http://example.org/graph/b> .\n"),
    ], ids=["trig", "nquads"])
    def test_dataset_formats_keep_their_own_graphs(
        self, store: GraphStore, fmt: RdfFormat, document: bytes
    ):
        assert store.load(document, fmt, graph=G_A) == 3

        assert store.graphs() == [G_A, G_B]
        assert set(store.graph(G_A)) == {(EX.a, EX.p, EX.o)}
        assert set(store.graph(G_B)) == {(EX.b, EX.p, EX.o), (EX.c, EX.p, EX.o)}

    def test_load_resolves_relative_iris_against_the_base(self, store: GraphStore):
        store.load(b"<cell> <p> <o> .", RdfFormat.TURTLE, graph=G_A,
                   base_iri="http://example.org/")

        assert set(store.graph(G_A)) == {(EX.cell, EX.p, EX.o)}

    @pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
    def test_malformed_input_raises_and_changes_nothing(self, store: GraphStore, fmt: RdfFormat):
        store.apply(ChangeSet(insert=[(EX.kept, EX.p, EX.o, G_B)]))
        before = snapshot(store)

        with pytest.raises(RdfSyntaxError) as caught:
            store.load(MALFORMED[fmt], fmt, graph=G_A)

        assert caught.value.message
        if fmt in FORMATS_WITH_POSITIONS:
            assert caught.value.line == 3
            assert caught.value.column is not None and caught.value.column > 0
        # The statements before the error were not loaded either.
        assert snapshot(store) == before
        assert store.count() == 1
        assert not store.contains_graph(G_A)

    # -- query -------------------------------------------------------------------------------
    def test_select_returns_rows_with_unbound_variables_absent(self, sample_store: GraphStore):
        result = sample_store.query(
            "PREFIX ex: <http://example.org/> "
            "SELECT ?label ?lang ?missing WHERE { ex:cell1 ex:label ?label "
            "BIND(LANG(?label) AS ?lang) OPTIONAL { ?label ex:none ?missing } } ORDER BY ?lang"
        )

        assert result.kind is QueryKind.SELECT
        assert result.variables == ["label", "lang", "missing"]
        assert len(result) == 2
        assert list(result.rows()) == [
            {"label": Literal("Zelle", lang="de"), "lang": Literal("de")},
            {"label": Literal("cell", lang="en"), "lang": Literal("en")},
        ]

    def test_select_returns_typed_literals_and_blank_nodes(self, sample_store: GraphStore):
        result = sample_store.query(
            "PREFIX ex: <http://example.org/> "
            "SELECT ?capacity ?maker ?name WHERE { ex:cell1 ex:capacity ?capacity ; "
            "ex:madeBy ?maker . ?maker ex:name ?name }"
        )

        (row,) = result.rows()
        assert row["capacity"] == Literal("52.5", datatype=XSD_DECIMAL)
        assert isinstance(row["maker"], BNode)
        assert row["name"] == Literal("ACME, Inc.")

    def test_ask(self, sample_store: GraphStore):
        yes = sample_store.query("ASK { <http://example.org/cell1> a <http://example.org/Cell> }")
        no = sample_store.query("ASK { <http://example.org/cell1> a <http://example.org/Pack> }")

        assert yes.kind is QueryKind.ASK
        assert yes.boolean is True
        assert no.boolean is False

    def test_construct(self, sample_store: GraphStore):
        result = sample_store.query(
            "PREFIX ex: <http://example.org/> "
            "CONSTRUCT { ?cell ex:hasLabel ?label } WHERE { ?cell ex:label ?label }"
        )

        assert result.kind is QueryKind.GRAPH
        assert len(result) == 2
        assert set(result.triples()) == {
            (EX.cell1, EX.hasLabel, Literal("Zelle", lang="de")),
            (EX.cell1, EX.hasLabel, Literal("cell", lang="en")),
        }

    def test_query_resolves_relative_iris_against_the_base(self, sample_store: GraphStore):
        result = sample_store.query(
            "SELECT ?label WHERE { <cell1> <label> ?label FILTER(LANG(?label) = 'en') }",
            base_iri="http://example.org/",
        )

        assert [row["label"] for row in result.rows()] == [Literal("cell", lang="en")]

    def test_bindings_restrict_the_solutions(self, store: GraphStore):
        store.apply(ChangeSet(insert=[
            (EX.c1, RDF_TYPE, EX.Cell, None),
            (EX.c2, RDF_TYPE, EX.Cell, None),
            (EX.p1, RDF_TYPE, EX.Pack, None),
        ]))

        result = store.query("SELECT ?s ?type WHERE { ?s a ?type }", bindings={"type": EX.Pack})

        assert list(result.rows()) == [{"s": EX.p1, "type": EX.Pack}]

    def test_literal_bindings_are_values_not_query_text(self, store: GraphStore):
        store.apply(ChangeSet(insert=[(EX.c1, EX.name, Literal('x" } ; DROP ALL ; #'), G_A)]))
        hostile = Literal('x" } ; DROP ALL ; #')

        found = store.query(
            "SELECT ?s ?name WHERE { GRAPH ?g { ?s <http://example.org/name> ?name } }",
            bindings={"name": hostile},
        )
        missing = store.query(
            "SELECT ?s ?name WHERE { GRAPH ?g { ?s <http://example.org/name> ?name } }",
            bindings={"name": Literal('} ; DROP ALL ; #\n"')},
        )

        assert [row["s"] for row in found.rows()] == [EX.c1]
        assert list(missing.rows()) == []
        assert store.count() == 1

    def test_default_graph_hides_every_other_graph(self, store: GraphStore):
        three_graphs(store)

        plain = store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[G_B])
        via_graph = store.query(
            "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", default_graph=[G_B]
        )
        from_clause = store.query(
            "SELECT ?s FROM <http://example.org/graph/a> WHERE { ?s ?p ?o }",
            default_graph=[G_B],
        )

        assert subjects(plain) == {str(EX.b)}
        assert subjects(via_graph) == set()  # graph A is not reachable through GRAPH either
        assert subjects(from_clause) == {str(EX.b)}  # the dataset wins over FROM

    def test_several_default_graphs_are_merged(self, store: GraphStore):
        three_graphs(store)

        result = store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[G_A, G_B])

        assert subjects(result) == {str(EX.a), str(EX.b)}

    def test_named_graphs_limit_graph_patterns(self, store: GraphStore):
        three_graphs(store)

        named = store.query(
            "SELECT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G_B]
        )
        explicit = store.query(
            "SELECT ?s WHERE { GRAPH <http://example.org/graph/a> { ?s ?p ?o } }",
            named_graphs=[G_B],
        )
        default = store.query("SELECT ?s WHERE { ?s ?p ?o }", named_graphs=[G_B])

        assert [(row["s"], row["g"]) for row in named.rows()] == [(EX.b, G_B)]
        assert subjects(explicit) == set()
        assert subjects(default) == set()  # the dataset's default graph is empty

    def test_all_named_graphs_stay_reachable(self, store: GraphStore):
        """``all_named_graphs``: GRAPH patterns see every named graph, with or without default
        graphs (the service's own checks - who describes a shared site - read every passport
        this way; a remote dataset of default graphs only had no named graphs at all)."""
        three_graphs(store)

        every = store.query("SELECT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                            default_graph=[], named_graphs=[], all_named_graphs=True)
        one = store.query("SELECT ?s WHERE { GRAPH <http://example.org/graph/a> { ?s ?p ?o } }",
                          default_graph=[], named_graphs=[], all_named_graphs=True)
        with_default = store.query(
            "SELECT ?s ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            default_graph=[G_B], named_graphs=[], all_named_graphs=True)

        # Virtuoso keeps the store's default graph as a graph of its own (the adapter's
        # sentinel), which GRAPH ?g then also sees; the service never writes that graph.
        found = {(row["s"], row["g"]) for row in every.rows()
                 if row["g"] != STORE_DEFAULT_GRAPH}
        assert found == {(EX.a, G_A), (EX.b, G_B)}
        assert subjects(one) == {str(EX.a)}
        assert {(row["s"], row.get("g")) for row in with_default.rows()} == {
            (EX.b, None), (EX.a, G_A), (EX.b, G_B)}

    def test_empty_dataset_sees_nothing(self, store: GraphStore):
        three_graphs(store)

        result = store.query(
            "SELECT ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
            default_graph=[], named_graphs=[],
        )

        assert subjects(result) == set()

    def test_union_default_graph(self, store: GraphStore):
        three_graphs(store)

        without = store.query("SELECT ?s WHERE { ?s ?p ?o }")
        union = store.query("SELECT ?s WHERE { ?s ?p ?o }", union_default_graph=True)
        union_of_named = store.query(
            "SELECT ?s WHERE { ?s ?p ?o }", union_default_graph=True, named_graphs=[G_A]
        )

        assert subjects(without) == {str(EX.d)}
        assert subjects(union) == {str(EX.a), str(EX.b), str(EX.d)}
        assert subjects(union_of_named) == {str(EX.a)}

    def test_max_rows(self, store: GraphStore):
        three_graphs(store)
        query = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }"
        construct = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"

        assert len(store.query(query, max_rows=2)) == 2
        with pytest.raises(ResultTooLarge) as caught:
            store.query(query, max_rows=1)
        assert caught.value.limit == 1
        with pytest.raises(ResultTooLarge):
            store.query(construct, max_rows=1)
        assert len(store.query(construct, max_rows=2)) == 2

    def test_query_syntax_error_has_line_and_column(self, store: GraphStore):
        with pytest.raises(QuerySyntaxError) as caught:
            store.query("SELECT ?s\nWHERE {\n  ?s ?p ?o\n  FILTER(\n}")

        assert (caught.value.line, caught.value.column) == (5, 2)
        assert caught.value.message

    def test_update_syntax_error_has_a_position_and_changes_nothing(self, store: GraphStore):
        three_graphs(store)
        before = snapshot(store)

        with pytest.raises(QuerySyntaxError) as caught:
            store.update("DROP ALL ;\nINSERT DATA {\n <http://example.org/x> <http://x> \n}")

        assert caught.value.line == 4
        assert snapshot(store) == before

    def test_update_evaluation_error_changes_nothing(self, store: GraphStore):
        three_graphs(store)
        before = snapshot(store)

        with pytest.raises(QueryEvaluationError):
            store.update(
                "DROP GRAPH <http://example.org/graph/b> ; "
                "CREATE GRAPH <http://example.org/graph/a>"
            )

        assert snapshot(store) == before

    def test_update_with_base_iri(self, store: GraphStore):
        store.update("INSERT DATA { GRAPH <graph/a> { <x> <p> <y> } }",
                     base_iri="http://example.org/")

        assert set(store.graph(G_A)) == {(EX.x, EX.p, EX.y)}

    # -- result serialisation ----------------------------------------------------------------
    SELECT_CELL = (
        "PREFIX ex: <http://example.org/> "
        "SELECT ?p ?o ?missing WHERE { ex:cell1 ?p ?o OPTIONAL { ?o ex:none ?missing } }"
    )

    def expected_cell_rows(self) -> set[tuple]:
        return {
            (p, unify_bnodes(o)) for s, p, o in sample_graph() if s == EX.cell1
        }

    @pytest.mark.parametrize(
        "fmt, rdflib_name",
        [(ResultFormat.JSON, "json"), (ResultFormat.XML, "xml"), (ResultFormat.TSV, "tsv")],
        ids=["json", "xml", "tsv"],
    )
    def test_select_serialisation_parses_back(
        self, sample_store: GraphStore, fmt: ResultFormat, rdflib_name: str
    ):
        result = sample_store.query(self.SELECT_CELL)
        (maker,) = [row["o"] for row in result.rows() if row["p"] == EX.madeBy]

        parsed = Result.parse(io.BytesIO(result.serialize(fmt.value)), format=rdflib_name)

        assert parsed.vars == [Variable("p"), Variable("o"), Variable("missing")]
        assert len(parsed.bindings) == SAMPLE_SIZE - 1
        assert all(Variable("missing") not in row for row in parsed.bindings)
        got = {(row[Variable("p")], row[Variable("o")]) for row in parsed.bindings}
        assert {(p, unify_bnodes(o)) for p, o in got} == self.expected_cell_rows()
        assert maker in {o for _, o in got}  # blank nodes keep the label the rows carry

    def test_select_json_document(self, sample_store: GraphStore):
        result = sample_store.query(self.SELECT_CELL)

        document = json.loads(result.serialize(ResultFormat.JSON.value))

        assert document["head"]["vars"] == ["p", "o", "missing"]
        by_predicate = {b["p"]["value"]: b["o"] for b in document["results"]["bindings"]}
        assert all("missing" not in b for b in document["results"]["bindings"])
        assert by_predicate[str(EX.note)] == {"type": "literal", "value": NOTE}
        assert by_predicate[str(EX.capacity)] == {
            "type": "literal", "value": "52.5", "datatype": str(XSD_DECIMAL),
        }
        assert by_predicate[str(RDF_TYPE)] == {"type": "uri", "value": str(EX.Cell)}
        assert by_predicate[str(EX.madeBy)]["type"] == "bnode"
        labels = {b["o"]["value"]: b["o"].get("xml:lang") for b in
                  document["results"]["bindings"] if b["p"]["value"] == str(EX.label)}
        assert labels == {"Zelle": "de", "cell": "en"}

    def test_select_csv_quotes_commas_quotes_and_newlines(self, sample_store: GraphStore):
        result = sample_store.query(self.SELECT_CELL)
        (maker,) = [row["o"] for row in result.rows() if row["p"] == EX.madeBy]

        body = result.serialize(ResultFormat.CSV.value).decode()
        header, *rows = list(csv.reader(io.StringIO(body, newline="")))

        assert header == ["p", "o", "missing"]
        assert sorted(rows) == sorted([
            [str(RDF_TYPE), str(EX.Cell), ""],
            [str(EX.label), "Zelle", ""],
            [str(EX.label), "cell", ""],
            [str(EX.capacity), "52.5", ""],
            [str(EX.note), NOTE, ""],
            [str(EX.madeBy), f"_:{maker}", ""],
        ])

    def test_select_tsv_keeps_one_solution_per_line(self, sample_store: GraphStore):
        result = sample_store.query(self.SELECT_CELL)

        lines = result.serialize(ResultFormat.TSV.value).decode().split("\n")

        assert lines[0] == "?p\t?o\t?missing"
        assert lines[-1] == ""
        assert len(lines) == 1 + (SAMPLE_SIZE - 1) + 1
        assert all(line.count("\t") == 2 for line in lines[:-1])
        assert f'<{EX.note}>\t"said \\"hi\\", then\\nleft;\\ttab"\t' in lines

    @pytest.mark.parametrize("fmt", list(ResultFormat), ids=lambda f: f.name)
    def test_select_serialisation_keeps_carriage_returns(
        self, store: GraphStore, fmt: ResultFormat
    ):
        text = "first line\r\nsecond, \"quoted\" line\r\n"
        store.apply(ChangeSet(insert=[(EX.s, EX.comment, Literal(text), None)]))
        result = store.query("SELECT ?comment WHERE { ?s ?p ?comment }")

        body = result.serialize(fmt.value)

        if fmt is ResultFormat.CSV:
            rows = list(csv.reader(io.StringIO(body.decode(), newline="")))
            assert rows == [["comment"], [text]]
        else:
            name = {ResultFormat.JSON: "json", ResultFormat.XML: "xml", ResultFormat.TSV: "tsv"}
            parsed = Result.parse(io.BytesIO(body), format=name[fmt])
            assert [row[Variable("comment")] for row in parsed.bindings] == [Literal(text)]

    @pytest.mark.parametrize("fmt", list(ResultFormat), ids=lambda f: f.name)
    @pytest.mark.parametrize("answer", [True, False])
    def test_ask_serialisation(self, sample_store: GraphStore, fmt: ResultFormat, answer: bool):
        cls = "Cell" if answer else "Pack"
        result = sample_store.query(f"ASK {{ ?s a <http://example.org/{cls}> }}")

        body = result.serialize(fmt.value)

        if fmt is ResultFormat.JSON:
            assert json.loads(body)["boolean"] is answer
        elif fmt is ResultFormat.XML:
            assert Result.parse(io.BytesIO(body), format="xml").askAnswer is answer
        else:
            *_, value = body.decode().split()
            assert value == str(answer).lower()

    @pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
    def test_construct_serialisation_parses_back(self, sample_store: GraphStore, fmt: RdfFormat):
        result = sample_store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")

        body = result.serialize(fmt.value)

        parsed = Dataset(default_union=True)
        parsed.parse(data=body, format=RDFLIB_FORMAT[fmt])
        graph = Graph()
        for triple in parsed.triples((None, None, None)):
            graph.add(triple)
        assert isomorphic(graph, sample_graph())

    def test_serialising_to_the_wrong_family_is_refused(self, sample_store: GraphStore):
        select = sample_store.query("SELECT * WHERE { ?s ?p ?o }")
        construct = sample_store.query("CONSTRUCT WHERE { ?s ?p ?o }")

        with pytest.raises(UnsupportedFormat):
            select.serialize(RdfFormat.TURTLE.value)
        with pytest.raises(UnsupportedFormat):
            construct.serialize(ResultFormat.JSON.value)

    # -- apply -------------------------------------------------------------------------------
    @pytest.mark.parametrize("last_part", [
        pytest.param({"sparql_after": ["DROP GRAPH <http://example.org/graph/unknown>"]},
                     id="failing-update"),
        pytest.param({"sparql_after": ["INSERT DATA { <http://example.org/x> }"]},
                     id="syntax-error"),
        pytest.param({"sparql_after": ["LOAD <http://127.0.0.1:1/nothing.ttl>"]},
                     id="failing-load"),
    ])
    def test_apply_is_atomic(self, store: GraphStore, last_part: dict):
        three_graphs(store)
        before = snapshot(store)
        changes = ChangeSet(
            sparql_before=["DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"],
            drop_graphs=[G_A],
            delete=[(EX.d, EX.p, EX.o, None)],
            insert=[(EX.new, EX.p, EX.o, G_C)],
            **last_part,
        )

        with pytest.raises(StoreError):
            store.apply(changes)

        assert snapshot(store) == before
        assert store.graphs() == [G_A, G_B]

    def test_apply_refuses_a_graph_name_that_is_not_an_iri(self, store: GraphStore):
        three_graphs(store)
        before = snapshot(store)
        hostile = URIRef(
            "http://example.org/x> { <http://example.org/s> <http://example.org/p> 1 } } ;"
            " DROP ALL ; INSERT DATA { GRAPH <http://example.org/y"
        )

        with pytest.raises(ValueError):
            store.apply(ChangeSet(insert=[(EX.s, EX.p, EX.o, hostile)]))
        with pytest.raises(ValueError):
            store.apply(ChangeSet(drop_graphs=[hostile]))

        assert snapshot(store) == before

    def test_apply_runs_its_parts_in_order(self, store: GraphStore):
        three_graphs(store)

        store.apply(ChangeSet(
            # a trailing comment must not swallow the separator to the next operation
            sparql_before=["INSERT DATA { GRAPH <http://example.org/graph/c> "
                           "{ <http://example.org/c> <http://example.org/p> 1 } } # note"],
            drop_graphs=[G_B],
            delete=[(EX.a, EX.p, EX.o, G_A)],
            insert=[(EX.a2, EX.p, Literal("zwei", lang="de"), G_A),
                    (EX.b2, EX.p, Literal(2), G_B)],
            sparql_after=["INSERT { GRAPH <http://example.org/graph/c> { ?s ?p 'copied' } } "
                          "WHERE { GRAPH <http://example.org/graph/b> { ?s ?p ?o } }"],
        ))

        assert set(store.graph(G_A)) == {(EX.a2, EX.p, Literal("zwei", lang="de"))}
        assert set(store.graph(G_B)) == {(EX.b2, EX.p, Literal(2))}  # dropped, then inserted
        assert set(store.graph(G_C)) == {
            (EX.c, EX.p, Literal(1)), (EX.b2, EX.p, Literal("copied")),
        }
        assert set(default_graph_of(store)) == {(EX.d, EX.p, EX.o)}

    def test_retract_removes_every_matching_quad_before_the_inserts(self, store: GraphStore):
        three_graphs(store)
        store.apply(ChangeSet(insert=[
            (EX.a, EX.q, Literal(1), G_A), (EX.a, EX.q, Literal(2), G_A),
            (EX.a, EX.q, Literal(3), G_B), (EX.x, EX.q, Literal(4), G_A),
        ]))

        store.apply(ChangeSet(
            retract=[QuadPattern(G_A, EX.a, EX.q)],  # one property of one node, one graph
            insert=[(EX.a, EX.q, Literal(9), G_A)],
        ))
        assert set(store.graph(G_A)) == {(EX.a, EX.p, EX.o), (EX.a, EX.q, Literal(9)),
                                         (EX.x, EX.q, Literal(4))}
        assert (EX.a, EX.q, Literal(3)) in set(store.graph(G_B))  # other graphs keep theirs

        store.apply(ChangeSet(retract=[QuadPattern(G_A, EX.a)]))  # a whole record
        assert set(store.graph(G_A)) == {(EX.x, EX.q, Literal(4))}
        store.apply(ChangeSet(retract=[QuadPattern(G_A, predicate=EX.q)]))  # any subject
        assert not store.contains_graph(G_A)
        assert set(default_graph_of(store)) == {(EX.d, EX.p, EX.o)}

    def test_removals_with_inserts_apply_whether_or_not_they_match(self, store: GraphStore):
        # A fresh battery's write: its retractions and drops match nothing (the embedded
        # store commits it as a plain insert); a rewrite: the same shape removes what it names.
        three_graphs(store)
        fresh = ChangeSet(retract=[QuadPattern(G_C, EX.new)], drop_graphs=[G_C],
                          insert=[(EX.new, EX.q, Literal(1), G_C)])
        store.apply(fresh)
        assert set(store.graph(G_C)) == {(EX.new, EX.q, Literal(1))}

        rewrite = ChangeSet(retract=[QuadPattern(G_A, EX.a)], drop_graphs=[G_C],
                            insert=[(EX.new, EX.q, Literal(2), G_C),
                                    (EX.a, EX.q, Literal(3), G_A)])
        store.apply(rewrite)
        assert set(store.graph(G_C)) == {(EX.new, EX.q, Literal(2))}
        assert set(store.graph(G_A)) == {(EX.a, EX.q, Literal(3))}
        assert set(default_graph_of(store)) == {(EX.d, EX.p, EX.o)}

    def test_retract_refuses_a_graph_name_that_is_not_an_iri(self, store: GraphStore):
        three_graphs(store)
        before = snapshot(store)

        with pytest.raises(ValueError):
            store.apply(ChangeSet(retract=[QuadPattern(URIRef("http://x> } } ; DROP ALL #"))]))

        assert snapshot(store) == before

    def test_empty_change_set_changes_nothing(self, store: GraphStore):
        three_graphs(store)
        before = snapshot(store)

        store.apply(ChangeSet())

        assert snapshot(store) == before

    # -- graphs ------------------------------------------------------------------------------
    def test_replace_graph(self, store: GraphStore):
        three_graphs(store)
        new = [(EX.n1, EX.p, Literal("one")), (EX.n2, EX.p, Literal(2.5)),
               (EX.n3, EX.p, EX.o)]

        store.replace_graph(G_A, new)

        assert set(store.graph(G_A)) == set(new)
        assert set(store.graph(G_B)) == {(EX.b, EX.p, EX.o)}
        assert set(default_graph_of(store)) == {(EX.d, EX.p, EX.o)}

        store.replace_graph(G_A, [])

        assert store.count(G_A) == 0
        assert not store.contains_graph(G_A)
        assert store.graphs() == [G_B]

    def test_graphs_and_contains_graph(self, store: GraphStore):
        assert store.graphs() == []
        three_graphs(store)
        store.apply(ChangeSet(insert=[(EX.c, EX.p, EX.o, G_C)]))

        assert store.graphs() == [G_A, G_B, G_C]  # sorted; the default graph is not listed
        assert store.contains_graph(G_B)
        assert not store.contains_graph(EX["graph/unknown"])

    def test_a_graph_emptied_or_created_empty_does_not_exist(self, store: GraphStore):
        three_graphs(store)

        store.apply(ChangeSet(delete=[(EX.b, EX.p, EX.o, G_B)]))
        store.update("CREATE GRAPH <http://example.org/graph/c>")

        assert store.graphs() == [G_A]
        assert not store.contains_graph(G_B)
        assert not store.contains_graph(G_C)

    def test_count(self, store: GraphStore):
        three_graphs(store)
        store.apply(ChangeSet(insert=[(EX.a2, EX.p, EX.o, G_A)]))

        assert store.count() == 4
        assert store.count(G_A) == 2
        assert store.count(G_B) == 1
        assert store.count(EX["graph/unknown"]) == 0

    def test_bulk_load(self, store: GraphStore):
        quads = [(EX[f"s{i}"], EX.p, Literal(i), G_A if i % 2 else None) for i in range(10)]

        assert store.bulk_load(iter(quads)) == 10

        assert store.count() == 10
        assert store.count(G_A) == 5

    def test_partition_graph_splits_by_the_first_graph_holding_each_triple(
            self, store: GraphStore):
        store.apply(ChangeSet(insert=[
            (EX.s, EX.p, Literal(1), G_A), (EX.s, EX.p, Literal(2), G_A),
            (EX.s, EX.p, Literal("x y"), G_A), (EX.s, EX.q, EX.o, G_A),
            (EX.s, EX.p, Literal(1), G_B), (EX.s, EX.p, Literal(2), G_C),
            (EX.s, EX.p, Literal(1), G_C), (EX.other, EX.p, Literal(9), G_B)]))

        parts = store.partition_graph(G_A, [G_B, G_C])

        def triples(data: bytes) -> set:
            return set(parse_rdf(data, RdfFormat.N_TRIPLES))

        assert set(parts) == {G_B, G_C, None}
        assert triples(parts[G_B]) == {(EX.s, EX.p, Literal(1))}  # in both: the first wins
        assert triples(parts[G_C]) == {(EX.s, EX.p, Literal(2))}
        assert triples(parts[None]) == {(EX.s, EX.p, Literal("x y")), (EX.s, EX.q, EX.o)}
        assert store.partition_graph(EX["graph/unknown"], [G_B]) == {}

    # -- dump --------------------------------------------------------------------------------
    @pytest.mark.parametrize(
        "fmt", [RdfFormat.N_QUADS, RdfFormat.TRIG, RdfFormat.JSON_LD], ids=lambda f: f.name
    )
    def test_dump_round_trip(self, store: GraphStore, fmt: RdfFormat):
        store.load(SAMPLE_TTL.encode(), RdfFormat.TURTLE, graph=G_A)
        three_graphs(store)

        fresh = OxigraphStore(None)
        assert fresh.load(store.dump(fmt), fmt) == store.count()

        assert fresh.count() == store.count()
        assert fresh.graphs() == store.graphs() == [G_A, G_B]
        for graph in (G_A, G_B):
            assert isomorphic(fresh.graph(graph), store.graph(graph))
        assert isomorphic(default_graph_of(fresh), default_graph_of(store))

    @pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.name)
    def test_dump_one_graph(self, store: GraphStore, fmt: RdfFormat):
        store.load(SAMPLE_TTL.encode(), RdfFormat.TURTLE, graph=G_A)
        three_graphs(store)

        parsed = Dataset(default_union=True)
        parsed.parse(data=store.dump(fmt, graph=G_A), format=RDFLIB_FORMAT[fmt])

        graph = Graph()
        for triple in parsed.triples((None, None, None)):
            graph.add(triple)
        expected = sample_graph()
        expected.add((EX.a, EX.p, EX.o))
        assert isomorphic(graph, expected)

    @pytest.mark.parametrize(
        "fmt", [RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML], ids=lambda f: f.name
    )
    def test_dumping_a_dataset_into_a_graph_format_is_refused(
        self, store: GraphStore, fmt: RdfFormat
    ):
        three_graphs(store)

        with pytest.raises(UnsupportedFormat):
            store.dump(fmt)


# ---------------------------------------------------------------------------------------------
# embedded adapter only
# ---------------------------------------------------------------------------------------------
def test_on_disk_store_persists_across_reopening(tmp_path: Path):
    path = tmp_path / "store"
    store = OxigraphStore(path)
    store.load(SAMPLE_TTL.encode(), RdfFormat.TURTLE, graph=G_A)
    three_graphs(store)
    store.flush()
    before = store.graph(G_A)
    store.close()

    reopened = OxigraphStore(path)
    try:
        assert reopened.count() == SAMPLE_SIZE + 3
        assert reopened.graphs() == [G_A, G_B]
        assert isomorphic(reopened.graph(G_A), before)
        assert set(default_graph_of(reopened)) == {(EX.d, EX.p, EX.o)}
    finally:
        reopened.close()


def test_close_is_idempotent_and_releases_the_store(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    store.apply(ChangeSet(insert=[(EX.s, EX.p, EX.o, G_A)]))

    store.close()
    store.close()

    again = OxigraphStore(tmp_path / "store")  # the RocksDB lock was released
    assert again.count() == 1
    again.close()


def test_flush_keeps_the_data(embedded_store: OxigraphStore):
    three_graphs(embedded_store)

    embedded_store.flush()

    assert embedded_store.count() == 3


def test_memory_store_opens_empty_and_private():
    first, second = OxigraphStore(None), OxigraphStore(":memory:")
    first.apply(ChangeSet(insert=[(EX.s, EX.p, EX.o, None)]))

    assert first.path is None and second.path is None
    assert (first.count(), second.count()) == (1, 0)


def test_default_graph_none_is_the_stores_own_default_graph(embedded_store: OxigraphStore):
    three_graphs(embedded_store)

    result = embedded_store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graph=[None, G_A])

    assert subjects(result) == {str(EX.d), str(EX.a)}


def test_query_stops_at_the_deadline_while_reading_rows(embedded_store: OxigraphStore):
    embedded_store.bulk_load((EX[f"s{i}"], EX.p, Literal(i), None) for i in range(200))

    with pytest.raises(QueryTimeout) as caught:
        embedded_store.query("SELECT ?s WHERE { ?s ?p ?o }", timeout=0)

    assert caught.value.seconds == 0
    assert len(embedded_store.query("SELECT ?s WHERE { ?s ?p ?o }", timeout=30)) == 200


def test_engine_refusals_are_query_evaluation_errors(embedded_store: OxigraphStore):
    # pyoxigraph substitutes only variables the query projects
    with pytest.raises(QueryEvaluationError):
        embedded_store.query("SELECT ?s WHERE { ?s a ?type }", bindings={"type": EX.Cell})


def test_backup_of_an_on_disk_store(disk_store: OxigraphStore, tmp_path: Path):
    three_graphs(disk_store)

    disk_store.backup(tmp_path / "backup")

    copy = OxigraphStore(tmp_path / "backup")
    try:
        assert snapshot(copy) == snapshot(disk_store)
    finally:
        copy.close()


def test_backup_of_a_memory_store_is_refused(memory_store: OxigraphStore):
    with pytest.raises(UnsupportedFormat):
        memory_store.backup(Path("unused"))


def test_bulk_load_bytes_into_a_graph(embedded_store: OxigraphStore):
    embedded_store.bulk_load_bytes(SAMPLE_TTL.encode(), RdfFormat.TURTLE, graph=G_A)

    assert isomorphic(embedded_store.graph(G_A), sample_graph())


def test_parse_rdf_reports_the_position_of_an_error():
    with pytest.raises(RdfSyntaxError) as caught:
        parse_rdf(MALFORMED[RdfFormat.TURTLE], RdfFormat.TURTLE)

    assert caught.value.line == 3
    assert isomorphic(parse_rdf(SAMPLE_TTL, RdfFormat.TURTLE), sample_graph())
