"""What the numbers were measured on: CPU, RAM, Python and package versions."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

from bench.servers import oxigraph_executable

PACKAGES = ("dbp-graph-service", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint",
            "pyshacl", "pyshacl-turbo", "fastapi", "starlette", "uvicorn", "httpx", "psutil")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _oxigraph_cli() -> str | None:
    executable = oxigraph_executable()
    if executable is None:
        return None
    try:
        return subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def source_state() -> dict:
    """The commit measured, and whether the work tree had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    status = git("status", "--porcelain", "--untracked-files=no", "--", "graph_service")
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "graph_service_modified_files": None if status is None else len(status.splitlines())}


def describe() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_physical": psutil.cpu_count(logical=False),
        "cpu_model": _cpu_model(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
        "oxigraph_cli": _oxigraph_cli(),
        "source": source_state(),
    }
