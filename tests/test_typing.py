"""The package type-checks under mypy --strict (the style guide's rule), so a signature cannot drift silently."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_type_checks_strictly() -> None:
    report, errors, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--no-incremental",
                                      str(ROOT / "src" / "clustergraph")])
    assert status == 0, report + errors
