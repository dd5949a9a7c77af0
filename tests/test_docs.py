"""Docs stay honest: every command is in the README, and its test command is what CI runs."""

from __future__ import annotations

import re

from kg.cli import main

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented():
    missing = [name for name in main.commands if f"### `kg {name}" not in README]
    assert not missing, f"README.md has no section for: {missing}"


def test_quick_start_has_two_commands_and_ci_runs_the_test_one():
    block = re.search(r"## Quick start\n\n```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, f"{commands[1]!r} is not in .ci/run"


def test_every_data_file_is_in_the_pedigree():
    pedigree = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    missing = [str(p.relative_to(ROOT / "data")) for p in (ROOT / "data").rglob("*.ttl")
               if f"`{p.relative_to(ROOT / 'data')}`" not in pedigree]
    assert not missing, missing
