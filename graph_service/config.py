"""Typed settings: one object, read from ``DBP_*`` environment variables and an optional ``.env``.

CLI options override these values by constructing ``Settings(**overrides)``.
"""

from __future__ import annotations

import ipaddress
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

MEMORY_STORE = ":memory:"


def _is_loopback(host: str) -> bool:
    if host in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def address_base_iri(host: str, port: int) -> str:
    """The base IRI of a service listening on ``host:port``. A wildcard bind address names no
    host a client could use; loopback stands in for it (``dbp serve`` says so at start-up)."""
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass  # a host name
    return f"http://{host}:{port}/"


class Settings(BaseSettings):
    """Service configuration. Unsafe combinations are refused at start-up, not at first use."""

    model_config = SettingsConfigDict(
        env_prefix="DBP_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        use_attribute_docstrings=True,  # the docstring below a field is its description
    )

    environment: Literal["development", "test", "production"] = "development"
    store: str = "./data/store"
    """Path of the embedded on-disk store, or ':memory:' for an in-memory store."""
    store_backend: Literal["oxigraph", "remote"] = "oxigraph"
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_store_url: str | None = None
    remote_engine: Literal["sparql", "virtuoso"] = "sparql"
    """'virtuoso' for OpenLink Virtuoso 7 (docs/scale-out.md: its differences); 'sparql' for
    servers that follow the SPARQL 1.1 Protocol (Oxigraph server)."""
    remote_username: str | None = None
    remote_password: str | None = None

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8000
    base_iri: str = ""
    """Base of minted instance and graph IRIs; must end with '/' or '#'. Unset:
    http://{host}:{port}/ of this service, so minted IRIs dereference where it listens."""
    query_timeout: Annotated[float, Field(gt=0, le=3600)] = 30.0
    max_result_rows: Annotated[int, Field(ge=1)] = 100_000
    sparql_prune_default_graph: bool = True
    """Evaluate a query over only the graphs of the caller's default graph that hold a predicate
    the query can read (the others cannot contribute a match): fleet-wide queries at 10 000
    batteries ran 2-7x faster (docs/benchmarks.md)."""
    sparql_prune_after_seconds: Annotated[float, Field(ge=0)] = 0.5
    """Prune a query text once one of its runs through /sparql took this long. Deciding what a
    text can read costs one parse with rdflib (tens of milliseconds, then cached), which a
    millisecond query should not pay; 0 prunes every text from its first run."""
    max_body_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024 * 1024
    header_read_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 10.0
    """Seconds a request's headers may take to arrive, from the connection opening or the
    previous answer on it; later the answer is 408 and the connection is closed (a client that
    never finishes its headers would otherwise hold the connection for good)."""
    body_read_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """Seconds a request body may stay silent between two chunks before the answer is 408 (a
    Content-Length larger than what the client sends would otherwise hold the connection)."""
    # What one caller may submit at once (POST /validate, POST /passports, Graph Store writes,
    # POST /import, dbp load/validate); anonymous callers (who may only validate) get less.
    # docs/operations.md explains each; tests/security/test_document_limits.py checks them.
    ingest_max_triples: Annotated[int, Field(ge=1)] = 100_000
    ingest_max_blank_nodes: Annotated[int, Field(ge=0)] = 20_000
    ingest_max_json_depth: Annotated[int, Field(ge=2, le=500)] = 64
    ingest_normalise_budget: Annotated[int, Field(ge=1000)] = 1_000_000
    """Work units (about a microsecond each) that labelling a document's blank nodes may take; a
    document that needs more is refused with 422."""
    anonymous_max_body_bytes: Annotated[int, Field(ge=1024)] = 1024 * 1024
    anonymous_max_triples: Annotated[int, Field(ge=1)] = 5_000
    anonymous_max_blank_nodes: Annotated[int, Field(ge=0)] = 1_000
    anonymous_max_json_depth: Annotated[int, Field(ge=2, le=500)] = 32
    anonymous_normalise_budget: Annotated[int, Field(ge=1000)] = 100_000
    ingest_concurrency: Annotated[int, Field(ge=1)] = 2
    """Document submissions one principal may have in progress at once; more get 429 with
    Retry-After."""
    anonymous_ingest_concurrency: Annotated[int, Field(ge=1)] = 1
    """The same for anonymous callers, counted per client IP address."""
    enable_update: bool = False
    query_concurrency: Annotated[int, Field(ge=0, le=64)] = 0
    """SPARQL queries (/sparql and the dashboard's query page) one principal - anonymous
    callers: one client address - may have in progress at once; more get 429 with Retry-After.
    0: one less than DBP_QUERY_WORKERS (at least 1), so that no single caller holds every query
    worker and the others wait for its runaway queries' deadlines."""
    query_workers: Annotated[int, Field(ge=1, le=64)] = 4
    """Processes that evaluate callers' SPARQL queries (each killed at its query's deadline and
    replaced)."""
    query_worker_memory_mb: Annotated[int, Field(ge=0)] = 4096
    """Address space (MiB) of one query process; a query that needs more fails with 503 and only
    that process stops. 0 = no limit."""
    federation_max_bytes: Annotated[int, Field(ge=1024)] = 16 * 1024 * 1024
    """Largest answer accepted from an allow-listed SERVICE endpoint."""
    service_allowlist: list[str] = Field(default_factory=list)
    """SPARQL endpoints that SERVICE clauses may call; everything else is refused."""
    service_private_networks: list[IPvAnyNetwork] = Field(default_factory=list)
    """Non-public networks (CIDR, e.g. a partner VPN's 10.20.0.0/16) where an allow-listed
    endpoint named by a host name may resolve to. By default such a name must resolve only to
    public addresses, so a changed DNS answer (127.0.0.1, a private address) never makes the
    service call a local host; an endpoint written as an IP address is called as written."""
    ontology_dir: Path = REPO_ROOT.parent / "shared" / "ontologies"
    """Location of the external EMMO/BattINFO/BVCO reference ontologies."""
    passport_models_dir: Path | None = None
    """Location of the partner passport models (official SAMM aspect models and their JSON schemas,
    e.g. catenax/io.catenax.battery.battery_pass/6.1.0/gen/); default: the folder
    passport-models beside ontology_dir."""
    load_reference_ontologies: bool = True
    """Load the EMMO class hierarchy from ontology_dir into the ontology graph."""
    parameters_file: Path | None = None
    """Turtle file of site-specific rule parameters; each (subject, predicate) in it replaces the
    default of rules/parameters.ttl."""
    access_policy_file: Path | None = None
    """Turtle file of the access policy between organisations (of which batteries each role reads
    legitimate-interest data); unset = ontology/access-policy.ttl."""
    rate_limit_per_minute: Annotated[int, Field(ge=0)] = 0
    """Requests per minute per principal (anonymous callers: per client IP), as a token bucket that
    allows bursts of one minute's worth; 0 = no limit."""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Origins allowed to call the API from a browser (CORS); a JSON list or a comma-separated
    string; empty = no cross-origin access."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    admin_tokens_configured: bool = False
    jwt_key_file: Path | None = None
    """PEM public key or JWKS file to verify externally issued JWTs (OIDC); unset = only dbp
    tokens."""
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    jwt_role_claim: str = "dbp_role"
    jwt_organisation_claim: str = "dbp_org"
    # True when base_iri was derived from host and port (not configured): set by the validator.
    _base_iri_derived: bool = PrivateAttr(default=False)

    @field_validator("base_iri")
    @classmethod
    def _base_iri_shape(cls, value: str) -> str:
        if not value:
            return value  # derived from host and port below
        if not value.startswith(("http://", "https://")):
            raise ValueError("base_iri must be an http(s) IRI")
        if not value.endswith(("/", "#")):
            value += "/"
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origin_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [origin.strip() for origin in text.split(",") if origin.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origin_shape(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin != "*" and not origin.startswith(("http://", "https://")):
                raise ValueError(f"CORS origin {origin!r} must be '*' or start with http(s)://")
        return [origin.rstrip("/") for origin in value]

    @model_validator(mode="after")
    def _base_iri_follows_address(self) -> Settings:
        """Unless DBP_BASE_IRI (or --base-iri) is given, IRIs are minted for the address the
        service listens on: ``--port 9000`` mints ``http://127.0.0.1:9000/id/...``."""
        if not self.base_iri:
            self.base_iri = address_base_iri(self.host, self.port)
            self._base_iri_derived = True
        return self

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        remote_ready = self.remote_query_url and self.remote_update_url
        if self.store_backend == "remote" and not remote_ready:
            raise ValueError("store_backend=remote needs remote_query_url and remote_update_url")
        exposed = not _is_loopback(self.host)
        if self.environment == "production" and self.enable_update and exposed \
                and not self.admin_tokens_configured:
            raise ValueError(
                "refusing to expose SPARQL Update on a non-loopback address without "
                "authentication configured"
            )
        return self

    @property
    def base_iri_derived(self) -> bool:
        """The base IRI follows host and port (DBP_BASE_IRI / --base-iri not given)."""
        return self._base_iri_derived

    @property
    def binds_all_interfaces(self) -> bool:
        return self.host in WILDCARD_HOSTS

    @property
    def is_memory_store(self) -> bool:
        return self.store == MEMORY_STORE

    @property
    def passport_models(self) -> Path:
        return self.passport_models_dir or self.ontology_dir.parent / "passport-models"

    @property
    def public_endpoint(self) -> str:
        return f"{self.base_iri}sparql"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
