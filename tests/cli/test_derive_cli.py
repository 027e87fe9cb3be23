"""`dbp derive`, run as a user runs it: real processes over an on-disk demo store."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import PROV

from graph_service.model.graphs import AccessGroup, GraphLayout
from graph_service.model.iris import IriMinter
from graph_service.store.base import ChangeSet
from graph_service.store.oxigraph import OxigraphStore

DBP = [sys.executable, "-m", "graph_service"]
BASE = "http://127.0.0.1:8000/"  # the default DBP_BASE_IRI
IDS = [f"BP-{i:06d}" for i in range(1, 5)]
FINAL_LINE = re.compile(r"^derived (\d+) batter(?:y|ies) in (\d+\.\d) s \((\d+) ms per battery\)$")


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBP_ENVIRONMENT": "test"}
    env.pop("DBP_BASE_IRI", None)
    result = subprocess.run([*DBP, *args], capture_output=True, text=True, env=env,
                            timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"dbp {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@contextmanager
def opened(path: Path) -> Iterator[OxigraphStore]:
    """The on-disk store, opened in this process while no `dbp` process holds it."""
    store = OxigraphStore(path)
    try:
        yield store
    finally:
        store.close()


def final_line(stdout: str) -> re.Match:
    match = FINAL_LINE.match(stdout.strip().splitlines()[-1])
    assert match, stdout
    return match


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("derive") / "store"
    assert "wrote 4 battery passports" in run("demo", "--batteries", "4", "--store",
                                              str(path)).stdout
    return path


def test_derive_all_rebuilds_every_derived_graph(demo_store):
    layout, minter = GraphLayout(BASE), IriMinter(BASE)
    with opened(demo_store) as store:
        # Drop every derived graph and the derived view: derive --all must rebuild them.
        store.apply(ChangeSet(drop_graphs=[*(layout.derived(b) for b in IDS),
                                           layout.derived_view]))
        assert not any(store.contains_graph(layout.derived(b)) for b in IDS)

    result = run("derive", "--all", "--store", str(demo_store))
    match = final_line(result.stdout)
    assert int(match.group(1)) == len(IDS)

    with opened(demo_store) as store:
        # Summary facts sit in the access views of their sources, the rest in the derived view.
        view = set(store.graph(layout.derived_view))
        for group in AccessGroup:
            view |= set(store.graph(layout.view(group)))
        for bid in IDS:
            derived = store.graph(layout.derived(bid))
            activity = URIRef(f"{minter.battery(bid)}/derivation")
            assert derived.value(activity, PROV.endedAtTime) is not None, bid
            assert len(derived) > 200, bid
            assert set(derived) <= view, bid


def test_derive_one_battery_replaces_only_its_graph(demo_store):
    layout, minter = GraphLayout(BASE), IriMinter(BASE)

    def ended(store: OxigraphStore, bid: str) -> str:
        graph = store.graph(layout.derived(bid))
        return str(graph.value(URIRef(f"{minter.battery(bid)}/derivation"), PROV.endedAtTime))

    with opened(demo_store) as store:
        before = {bid: ended(store, bid) for bid in IDS}
        other = set(store.graph(layout.derived(IDS[0])))
    result = run("derive", "--battery", IDS[1], "--store", str(demo_store))
    assert final_line(result.stdout).group(1) == "1"
    assert "derived 1 battery in" in result.stdout
    with opened(demo_store) as store:
        assert ended(store, IDS[1]) >= before[IDS[1]]
        assert set(store.graph(layout.derived(IDS[0]))) == other  # untouched


def test_derive_refuses_unknown_or_missing_batteries(demo_store):
    unknown = run("derive", "--battery", "BP-999999", "--store", str(demo_store), check=False)
    assert unknown.returncode == 1
    assert "BP-999999" in unknown.stderr
    nothing = run("derive", "--store", str(demo_store), check=False)
    assert nothing.returncode == 2
    assert "--all" in nothing.stderr
