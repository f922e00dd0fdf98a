"""Where the tests find the reference data (W3C manifests, SEMIC shapes, EU vocabularies, NUTS), and the
one-line reason they skip when it is absent. Shared by conftest and the test modules that need it at import."""

from __future__ import annotations

from pathlib import Path

from clustergraph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def reference_dir() -> Path:
    """Where the reference data is: ``CLUSTERGRAPH_REFERENCE_DIR``, by default ``../shared/reference``."""
    local = Settings(project_dir=ROOT)
    return local.path(local.reference_dir).resolve()


def missing_reference(what: str) -> str:
    """The one-line reason a test that needs reference data skips."""
    return (f"reference data not found ({what} under {reference_dir()}); set CLUSTERGRAPH_REFERENCE_DIR to "
            "the folder with the W3C protocol tests, SEMIC DCAT-AP shapes, EU vocabularies and NUTS tables")
