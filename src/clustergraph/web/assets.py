"""``/favicon.ico``: the site's icon (an SVG), where browsers look for it without being told."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

router = APIRouter()
FAVICON = Path(__file__).parent / "static" / "favicon.svg"


@router.api_route("/favicon.ico", methods=["GET", "HEAD"], include_in_schema=False)
async def favicon() -> FileResponse:
    """The icon, as SVG (every current browser shows an SVG icon whatever the path's suffix)."""
    return FileResponse(FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
