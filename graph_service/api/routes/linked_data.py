"""Dereferenceable IRIs (Linked Data), their description documents, and GS1 Digital Link.

Convention (docs/architecture.md, "Things and documents"): ``/id/...`` names a thing (a battery,
a module, a derived hazard) and answers 200 with its description, saying which document that is:
``Content-Location: {base}doc/...{.ext}`` and ``Link: <{base}doc/...>; rel="describedby"``.
``/doc/...`` is the description document itself (negotiated), ``/doc/....ttl`` (``.jsonld``,
``.nt``, ``.rdf``, ``.html``) one fixed representation of it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from graph_service.api.deps import PrincipalDep, Services, ServicesDep
from graph_service.api.negotiation import Choice, Kind, choose, context_iri, negotiated, render
from graph_service.model.iris import safe_href
from graph_service.services.access import Principal
from graph_service.services.linked_data import NothingToDescribe, render_html
from graph_service.services.linked_data.gs1 import LINKSET, linkset_document

router = APIRouter(tags=["linked data"])

# Fixed-representation documents: extension -> media type (and back).
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json",
              "nt": "application/n-triples", "rdf": "application/rdf+xml", "html": "text/html"}
_EXTENSION_OF = {media_type: ext for ext, media_type in EXTENSIONS.items()}
_VARY = "Accept, Authorization"


def _check_whole_path(request: Request, path: str) -> None:
    """Starlette's ``{path:path}`` pattern ends in "$", which also matches before a final
    newline: the parameter then lacks the "\n" the request path has. Such a path names no
    node (and must not describe the node without it)."""
    if not request.scope["path"].endswith(path):
        raise NothingToDescribe(f"{path[:200]!r} followed by a line break names no node")


def _canonical_path(request: Request, services: Services, prefix: str,
                    path: str) -> RedirectResponse | None:
    """Refuse a path cut at a line break; redirect a path with a trailing '/' to the same one
    without it (minted IRIs never end with '/'; permanent, keeps the method)."""
    _check_whole_path(request, path)
    if path.endswith("/") and path.strip("/"):
        return RedirectResponse(f"{services.settings.base_iri}{prefix}/{path.rstrip('/')}",
                                status_code=308, headers={"Vary": _VARY})
    return None


def _split_extension(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS and stem:
        return stem, ext
    return path, None


def _links(base: str, path: str, passport: object | None) -> str:
    doc = f"{base}doc/{path}"
    links = [f'<{doc}>; rel="describedby"']
    links += [f'<{doc}.{ext}>; rel="alternate"; type="{media_type}"'
              for ext, media_type in EXTENSIONS.items()]
    if passport is not None:
        links.append(f'<{passport}>; rel="dpp"')
    return ", ".join(links)


async def _describe(request: Request, services: Services, principal: Principal, path: str,
                    choice: Choice, headers: dict[str, str]) -> Response:
    iri = services.linked_data.iri_for_path(path)
    description = await services.run_blocking(services.linked_data.describe, iri, principal)
    base = services.settings.base_iri
    headers["Link"] = ", ".join(filter(None, [headers.get("Link"),
                                              _links(base, path, description.passport)]))
    if choice.is_html:
        labels = await services.run_blocking(services.linked_data.labels, description)
        page = render_html(description, base, labels=labels,
                           alternates={media_type: f"/doc/{path}.{ext}"
                                       for ext, media_type in EXTENSIONS.items()
                                       if media_type != "text/html"})
        return HTMLResponse(page, headers={"Vary": _VARY, **headers})
    body = await services.run_blocking(render, description.graph, choice,
                                       context_iri(request))
    return negotiated(body, choice, headers={"Vary": _VARY, **headers})


async def _description(request: Request, services: Services, principal: Principal,
                       prefix: Literal["id", "doc"], path: str) -> Response:
    """What /id and /doc share: the same description, negotiated. A document also says which
    thing it describes, and ``/doc/{path}.{ext}`` is one fixed representation of it (``/id``
    has no extensions: a thing's id may end in ".ttl")."""
    if redirect := _canonical_path(request, services, prefix, path):
        return redirect
    base = services.settings.base_iri
    stem, ext = _split_extension(path) if prefix == "doc" else (path, None)
    accept = EXTENSIONS[ext] if ext is not None else request.headers.get("accept")
    choice = choose(accept, Kind.GRAPH, html=True)
    headers = {"Link": f'<{base}id/{stem}>; rel="describes"'} if prefix == "doc" else {}
    if ext is None and choice.media_type in _EXTENSION_OF:
        # The negotiated answer names its fixed document; N-Quads and TriG have none.
        headers["Content-Location"] = f"{base}doc/{stem}.{_EXTENSION_OF[choice.media_type]}"
    return await _describe(request, services, principal, stem, choice, headers)


@router.get("/id/{path:path}", response_class=Response,
            summary="Dereference a minted IRI: its description (Linked Data)")
async def dereference(path: str, request: Request, services: ServicesDep,
                      principal: PrincipalDep) -> Response:
    return await _description(request, services, principal, "id", path)


@router.get("/doc/{path:path}", response_class=Response,
            summary="The description document of a minted IRI (negotiated, or by extension)")
async def document(path: str, request: Request, services: ServicesDep,
                   principal: PrincipalDep) -> Response:
    return await _description(request, services, principal, "doc", path)


@router.get(
    "/01/{gtin}/21/{serial}",
    summary="GS1 Digital Link (GTIN + serial number): redirect to the battery, or its linkset",
    responses={307: {"description": "To the battery's IRI (or the target of ?linkType=)"},
               200: {"content": {LINKSET: {}}, "description": "RFC 9264 linkset"}},
)
async def digital_link(
    gtin: str,
    serial: str,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    link_type: Annotated[str | None, Query(
        alias="linkType", description="A GS1 link type (gs1:dpp, gs1:pip, ...) or 'linkset' / "
                                      "'all' for the whole linkset")] = None,
) -> Response:
    resolved = await services.run_blocking(services.linked_data.resolve_digital_link, gtin,
                                           serial, principal)
    links = services.linked_data.digital_links(resolved)
    headers = {"Link": links.link_header(), "Vary": "Accept, Authorization"}
    accept = request.headers.get("accept") or ""
    wants_linkset = link_type in ("linkset", "all") or (
        link_type is None and LINKSET in accept and "text/html" not in accept)
    if wants_linkset:
        return Response(linkset_document(links), media_type=LINKSET, headers=headers)
    target = links.target(link_type)
    if safe_href(target, services.settings.base_iri) is None:
        # A stored IRI that is no safe web address is never a Location (open redirect).
        raise NothingToDescribe(f"the battery of {links.anchor} has no web address")
    return RedirectResponse(target, status_code=307, headers=headers)
