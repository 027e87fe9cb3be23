"""Interactive API documentation served from the package: Swagger UI at /docs and ReDoc at
/redoc, their scripts and styles from the ``fastapi-offline`` package (no CDN: plant networks
and air-gapped sites have no internet)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/static/docs"
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
# Swagger UI shows a badge from an online validator unless told not to.
SWAGGER_PARAMETERS = {"validatorUrl": None, "tryItOutEnabled": True}

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    return StaticFiles(directory=str(ASSETS_DIR))


def _urls(request: Request, **assets: str) -> dict[str, str]:
    """The OpenAPI document's and the named asset files' URLs, below the app's root path (a
    reverse proxy may mount the service under a prefix)."""
    root = request.scope.get("root_path", "")
    return {"openapi_url": f"{root}{request.app.openapi_url}",
            **{name: f"{root}{ASSETS_PATH}/{file}" for name, file in assets.items()}}


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        title=f"{request.app.title} - API", swagger_ui_parameters=SWAGGER_PARAMETERS,
        **_urls(request, swagger_js_url="swagger-ui-bundle.js", swagger_css_url="swagger-ui.css",
                swagger_favicon_url="favicon.png"))


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        title=f"{request.app.title} - API reference", with_google_fonts=False,
        **_urls(request, redoc_js_url="redoc.standalone.js", redoc_favicon_url="favicon.png"))
