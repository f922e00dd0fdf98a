"""The documentation keeps up with the code: every setting is documented, every CLI command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from clustergraph.cli import app
from clustergraph.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", (ROOT / "docs" / "settings.md").read_text(encoding="utf-8"),
                                re.MULTILINE))
    assert documented == set(Settings.model_fields)


def test_readme_starts_with_the_two_setup_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, re.DOTALL)
    assert block is not None and readme.index("```bash") < readme.index("\n## ")
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("clustergraph build && clustergraph serve") and commands[1].endswith("pytest")


def test_every_command_is_mentioned_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {})
        for full in [f"clustergraph {name} {sub}" for sub in subcommands] or [f"clustergraph {name}"]:
            assert full in readme, full
