"""Build hook: install the query editor's front-end packages from npm and copy them into the package.

The packages are pinned in ``frontend/package-lock.json``; the files listed in ``frontend/assets.json`` are
copied to ``src/clustergraph/web/static/vendor/`` (git-ignored) so the server never loads them from a CDN.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
FRONTEND = ROOT / "frontend"
VENDOR = ROOT / "src" / "clustergraph" / "web" / "static" / "vendor"


def install_frontend() -> None:
    """``npm ci`` (once) and copy the listed files; fails loudly when npm is missing."""
    manifest = json.loads((FRONTEND / "assets.json").read_text(encoding="utf-8"))["files"]
    if all((VENDOR / target).exists() for target in manifest.values()):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to install the query editor's front-end packages (Debian: nodejs npm)")
    if not all((FRONTEND / "node_modules" / source).exists() for source in manifest):  # none yet, or stale
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=FRONTEND, check=True)
    VENDOR.mkdir(parents=True, exist_ok=True)
    for source, target in manifest.items():
        shutil.copyfile(FRONTEND / "node_modules" / source, VENDOR / target)


class BuildWithFrontend(build_py):
    """build_py that first puts the front-end files in place."""

    def run(self) -> None:
        install_frontend()
        super().run()


setup(cmdclass={"build_py": BuildWithFrontend})
