"""The leaf-by-leaf diff checker used by the round-trip tests and the bench."""

from __future__ import annotations

from graph_service.services.interop.catenax import normalise
from graph_service.services.interop.diff import diff, leaves


def test_leaves_are_json_paths_including_empty_containers() -> None:
    document = {"a": {"b": [1, {"c": "x"}], "e": []}, "f": {}}
    assert dict(leaves(document)) == {("a", "b", 0): 1, ("a", "b", 1, "c"): "x",
                                      ("a", "e"): [], ("f",): {}}


def test_preserved_changed_lost_added_and_coverage() -> None:
    before = {"a": 1, "b": True, "c": "x", "d": [1, 2]}
    after = {"a": 1.0, "b": 1, "c": "y", "d": [1], "e": None}
    result = diff(before, after)
    assert result.preserved == ["$.a", "$.d[0]"]  # 1 == 1.0: JSON does not tell them apart
    assert [c[0] for c in result.changed] == ["$.b", "$.c"]  # but true is not 1
    assert result.lost == [("$.d[1]", 2)] and result.added == [("$.e", None)]
    assert result.total == 5 and result.coverage == 0.4 and not result.identical
    assert "2 of 5 leaves preserved (40.0%)" in result.summary()


def test_catenax_normalisation_compares_times_as_instants_with_their_offset() -> None:
    before = {"r": {"time": "2024-01-01T00:00:00Z", "value": 150000}}
    assert diff(before, {"r": {"time": "2024-01-01T00:00:00+00:00", "value": 150000.0}},
                normalise).identical
    assert not diff(before, {"r": {"time": "2024-01-01T01:00:00+01:00", "value": 150000}},
                    normalise).identical  # same instant, other offset: a change
