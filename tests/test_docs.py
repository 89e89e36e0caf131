"""The docs stay true: the CLI reference is current, every command has an example, README names real commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from codebench.cli.reference import commands, render

REPO = Path(__file__).resolve().parent.parent


def test_cli_reference_is_current() -> None:
    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: python -m codebench.cli.reference > docs/cli.md")


def test_every_command_has_help_with_an_example() -> None:
    missing = [path for path, cmd in commands() if "Example:" not in (cmd.help or "")]
    assert missing == []


def test_readme_and_docs_name_only_real_commands() -> None:
    known = {path for path, _ in commands()}
    used = set()
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        if doc.name in ("cli.md", "benchmarks.md"):
            continue
        for block in re.findall(r"```bash\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                for part in re.split(r"&&|;", line.split("#")[0]):
                    words = shlex.split(part.strip()) if part.strip() else []
                    if words[:1] == ["codebench"] and len(words) > 1 and not words[1].startswith("-"):
                        used.add((doc.name, " ".join(words[:3]), " ".join(words[:2])))
    unknown = sorted((doc, three) for doc, three, two in used if three not in known and two not in known)
    assert unknown == []
    assert any(two == "codebench demo" for _, _, two in used)
