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
"""

from __future__ import annotations

import json
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
    # The generator's rule (services/demo.py): uuid5 of base IRI + battery id + seed.
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
    """N-Quads of a generated ``size``-battery fleet (bulk fill: no SHACL, no rules), cached."""
    from graph_service.services.demo import write_demo_fleet
    from graph_service.store import RdfFormat

    path = workdir / f"template-{size}-seed{seed}.nq"
    if path.exists():
        return path
    log(f"generating the {size}-battery template fleet")
    services = build()
    write_demo_fleet(services, size, seed=seed, validate=False, derive=False)
    partial = path.with_suffix(".partial")
    partial.write_bytes(services.store.dump(RdfFormat.N_QUADS))
    services.store.close()
    partial.rename(path)
    return path


def scale_store(workdir: Path, size: int, template: Path, template_size: int, *, seed: int,
                base_iri: str, open_store: Callable[[str], Any],
                log: Callable[[str], None]) -> tuple[Path, dict]:
    """An on-disk store holding ``size`` batteries (the template, then renamed copies); reused
    when ``workdir`` already holds a complete one. Returns its path and fill information."""
    from graph_service.store import RdfFormat

    path = workdir / f"scale-{size}"
    marker = workdir / f"scale-{size}.json"
    if marker.exists() and path.exists():
        info = json.loads(marker.read_text())
        if info.get("complete") and info.get("template") == template.name:
            info["reused"] = True
            return path, info
    shutil.rmtree(path, ignore_errors=True)
    marker.unlink(missing_ok=True)
    shared, per_battery = split_template(template.read_bytes())
    store = open_store(str(path))
    started = time.perf_counter()
    store.bulk_load_bytes(shared, RdfFormat.N_QUADS)
    kept = min(size, template_size)
    store.bulk_load_bytes(b"".join(b"\n".join(per_battery[i]) + b"\n"
                                   for i in range(1, kept + 1)), RdfFormat.N_QUADS)
    written = kept
    for chunk in copies(per_battery, template_size, template_size + 1, size,
                        base_iri=base_iri, seed=seed):
        store.bulk_load_bytes(chunk, RdfFormat.N_QUADS)
        written = min(size, written + 1000)
        if written % 5000 == 0 or written == size:
            log(f"scale store {size}: {written} batteries "
                f"({time.perf_counter() - started:.0f} s)")
    store.flush()
    quads = store.count()
    store.close()
    info = {"batteries": size, "quads": quads, "template": template.name,
            "template_batteries": template_size, "fill_seconds": round(
                time.perf_counter() - started, 1), "complete": True, "fresh_next": 900_001}
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
