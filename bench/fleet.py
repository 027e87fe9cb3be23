"""Large benchmark fleets by renaming copies of a generated template fleet.

Generating and classifying a demo passport costs ~0.1 s of Python, so 50 000 of them would take
well over an hour before anything is measured. A large fleet is therefore made from the N-Quads
dump of a generated template fleet of T batteries: every line that names a template battery
(``BP-000123`` in an IRI or literal) is copied with the battery renamed to ``BP-{123 + k*T}``,
together with the two other per-battery identifiers the generator derives from the index (the
``urn:uuid:`` passport id and the serial number). Lines naming no battery (ontology, parameters,
shared organisations and sites) are loaded once. Copy k of battery i therefore has exactly the
triples, graphs and values of battery i - the fleet is T distinct batteries repeated, which is
what the scale measurements need (stored size), not what a statistics query would.

The template is written without SHACL and with the summary rules only (rules/ with
``# output: access-views``): the fleet holds every battery's summary facts in their access views,
so the summary-style fleet queries run on it; the procedure rules are measured per battery.

The copies are written as gzip-compressed N-Quads shards by worker processes (one per CPU),
then bulk-loaded into the embedded store - and the same shards into Virtuoso (its bulk loader
reads .gz files), so both engines hold exactly the same quads.
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BATTERY = re.compile(rb"BP-(\d{6})")


def split_template(dump: bytes) -> tuple[bytes, dict[int, list[bytes]]]:
    """Shared lines, and per template battery index the lines that name it (by first name)."""
    shared: list[bytes] = []
    per_battery: dict[int, list[bytes]] = {}
    for line in dump.splitlines():
        match = BATTERY.search(line)
        if match is None:
            shared.append(line)
        else:
            per_battery.setdefault(int(match[1]), []).append(line)
    return b"\n".join(shared) + b"\n", per_battery


def _passport_uuid(base_iri: str, index: int, seed: int) -> str:
    # The generator's rule (services/fleet/demo.py): uuid5 of base IRI + battery id + seed.
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_iri}BP-{index:06d}:{seed}"))


def copies(per_battery: dict[int, list[bytes]], template_size: int, first: int, last: int,
           *, base_iri: str, seed: int, chunk_batteries: int = 1000) -> Iterator[bytes]:
    """N-Quads of batteries ``first..last`` (1-based, beyond the template), in chunks."""
    uuids = {_passport_uuid(base_iri, i, seed).encode(): i for i in per_battery}
    serial = re.compile(rb"-%02d(\d{7})\"" % seed)
    pattern = re.compile(rb"BP-(\d{6})|urn:uuid:([0-9a-f-]{36})|" + serial.pattern)

    def renamed(lines: list[bytes], offset: int) -> bytes:
        def replace(match: re.Match[bytes]) -> bytes:
            if match[1] is not None:
                return b"BP-%06d" % (int(match[1]) + offset)
            if match[2] is not None:
                template = uuids.get(match[2])
                if template is None:  # not a generated passport id: keep it
                    return match[0]
                return b"urn:uuid:" + _passport_uuid(base_iri, template + offset, seed).encode()
            return b"-%02d%07d\"" % (seed, int(match[3]) + offset)

        return pattern.sub(replace, b"\n".join(lines)) + b"\n"

    batch: list[bytes] = []
    for index in range(first, last + 1):
        template = (index - 1) % template_size + 1
        batch.append(renamed(per_battery[template], index - template))
        if len(batch) >= chunk_batteries:
            yield b"".join(batch)
            batch = []
    if batch:
        yield b"".join(batch)


# ---------------------------------------------------------------------------------------------
# cached stores (``--workdir``): the template dump and on-disk stores of each scale size
# ---------------------------------------------------------------------------------------------
def template_dump(workdir: Path, size: int, seed: int, build: Callable[[], Any],
                  log: Callable[[str], None]) -> Path:
    """N-Quads of a generated ``size``-battery fleet (no SHACL; the summary rules only), cached.
    A sidecar JSON records its passport triples."""
    from graph_service.services.derivation.rules import RuleRunner, load_rules
    from graph_service.services.fleet.demo import write_demo_fleet
    from graph_service.store.base import RdfFormat

    path = workdir / f"template-{size}-seed{seed}-summaries.nq"
    if path.exists():
        return path
    log(f"generating the {size}-battery template fleet (with summary facts)")
    services = build()
    summaries = RuleRunner(services.store, services.layout, services.minter,
                           services.repository,
                           rules=[rule for rule in load_rules() if rule.is_summary])
    started = time.perf_counter()
    triples = write_demo_fleet(services, size, seed=seed, validate=False, derive=True,
                               rules=summaries)
    seconds = time.perf_counter() - started
    partial = path.with_suffix(".partial")
    dump = services.store.dump(RdfFormat.N_QUADS)
    partial.write_bytes(dump)
    services.store.close()
    shared, _ = split_template(dump)
    path.with_suffix(".json").write_text(json.dumps(
        {"batteries": size, "passport_triples": triples, "seconds": round(seconds, 1),
         # quads naming no battery (ontology, reference stack, parameters, shared sites)
         "shared_quads": shared.count(b"\n")}))
    partial.rename(path)
    return path


def template_info(template: Path) -> dict:
    sidecar = template.with_suffix(".json")
    return json.loads(sidecar.read_text()) if sidecar.exists() else {}


# ---------------------------------------------------------------------------------------------
# N-Quads shards of a fleet, written in parallel
# ---------------------------------------------------------------------------------------------
_SHARD_STATE: dict[str, Any] = {}


def _init_shard_worker(template: str, template_size: int, base_iri: str, seed: int) -> None:
    shared, per_battery = split_template(Path(template).read_bytes())
    _SHARD_STATE.update(shared=shared, per_battery=per_battery, template_size=template_size,
                        base_iri=base_iri, seed=seed)


def _write_shard(job: tuple[str, int, int]) -> tuple[str, int]:
    """Shard file with batteries ``first..last`` (shard 1 also holds the shared lines and the
    template batteries themselves). Returns its path and number of lines (quads)."""
    target, first, last = job
    state = _SHARD_STATE
    lines = 0
    partial = target + ".partial"
    with gzip.open(partial, "wb", compresslevel=1) as out:
        if first == 1:
            out.write(state["shared"])
            lines += state["shared"].count(b"\n")
            kept = min(last, state["template_size"])
            for index in range(1, kept + 1):
                block = b"\n".join(state["per_battery"][index]) + b"\n"
                out.write(block)
                lines += block.count(b"\n")
            first = kept + 1
        if first <= last:
            for chunk in copies(state["per_battery"], state["template_size"], first, last,
                                base_iri=state["base_iri"], seed=state["seed"]):
                out.write(chunk)
                lines += chunk.count(b"\n")
    os.replace(partial, target)
    return target, lines


def fleet_shards(workdir: Path, size: int, template: Path, template_size: int, *, seed: int,
                 base_iri: str, log: Callable[[str], None], workers: int | None = None,
                 shard_batteries: int = 2500) -> tuple[list[Path], dict]:
    """gzip N-Quads shards holding a ``size``-battery fleet; reused when complete."""
    directory = workdir / f"fleet-{size}-{template.stem}"
    marker = directory / "complete.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        return [directory / name for name in info["shards"]], info
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    jobs = []
    for number, first in enumerate(range(1, size + 1, shard_batteries), start=1):
        last = min(size, first + shard_batteries - 1)
        jobs.append((str(directory / f"shard-{number:04d}.nq.gz"), first, last))
    started = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    count = workers or os.cpu_count() or 1
    quads = 0
    with context.Pool(count, initializer=_init_shard_worker,
                      initargs=(str(template), template_size, base_iri, seed)) as pool:
        for done, (_, lines) in enumerate(pool.imap_unordered(_write_shard, jobs), start=1):
            quads += lines
            log(f"fleet {size}: shard {done}/{len(jobs)} written "
                f"({time.perf_counter() - started:.0f} s)")
    info = {"batteries": size, "template": template.name, "quads": quads,
            "shards": [Path(job[0]).name for job in jobs], "workers": count,
            "write_seconds": round(time.perf_counter() - started, 1),
            "bytes": sum(Path(job[0]).stat().st_size for job in jobs)}
    marker.write_text(json.dumps(info, indent=2))
    return [Path(job[0]) for job in jobs], info


def scale_store(workdir: Path, size: int, template: Path, template_size: int, *, seed: int,
                base_iri: str, open_store: Callable[[str], Any],
                log: Callable[[str], None]) -> tuple[Path, dict]:
    """An on-disk store holding ``size`` batteries (the template, then renamed copies); reused
    when ``workdir`` already holds a complete one. Returns its path and fill information."""
    from graph_service.store.base import RdfFormat

    path = workdir / f"scale-{size}"
    marker = workdir / f"scale-{size}.json"
    if marker.exists() and path.exists():
        info = json.loads(marker.read_text())
        if info.get("complete") and info.get("template") == template.name:
            info["reused"] = True
            return path, info
    shutil.rmtree(path, ignore_errors=True)
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    shards, written = fleet_shards(workdir, size, template, template_size, seed=seed,
                                   base_iri=base_iri, log=log)
    store = open_store(str(path))
    loading = time.perf_counter()
    for number, shard in enumerate(shards, start=1):
        with gzip.open(shard, "rb") as stream:
            store.bulk_load_bytes(stream, RdfFormat.N_QUADS)
        log(f"scale store {size}: shard {number}/{len(shards)} loaded "
            f"({time.perf_counter() - loading:.0f} s)")
    store.flush()
    quads = store.count()
    store.close()
    about = template_info(template)
    per_battery = about.get("passport_triples", 0) / max(1, template_size)
    info = {"batteries": size, "quads": quads, "template": template.name,
            "fleet_quads": quads - about["shared_quads"] if "shared_quads" in about else None,
            "template_batteries": template_size,
            "passport_triples": round(per_battery * size),
            "shards_seconds": written.get("write_seconds"),
            "shards_bytes": written.get("bytes"),
            "load_seconds": round(time.perf_counter() - loading, 1),
            "fill_seconds": round(time.perf_counter() - started, 1), "complete": True,
            "fresh_next": 900_001}
    marker.write_text(json.dumps(info, indent=2))
    return path, info


def reserve_fresh_indices(workdir: Path, size: int, count: int) -> list[int]:
    """Indices of batteries not yet in the scale store (measured writes stay in it)."""
    marker = workdir / f"scale-{size}.json"
    info = json.loads(marker.read_text())
    first = int(info.get("fresh_next", 900_001))
    info["fresh_next"] = first + count
    marker.write_text(json.dumps(info, indent=2))
    return list(range(first, first + count))
