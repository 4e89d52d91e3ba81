"""The ``realtime-bus`` command line: the table of subcommands, help, version, errors."""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import types

import pytest
import websockets
from websockets.sync.client import connect as sync_connect

import realtime_bus
from realtime_bus.cli import Command, build_parser, commands, main
from realtime_bus.cli._commands import COMMAND_MODULES

from ._process import cli_process, url_after

_MARKUP = re.compile(r"``|:(class|func|meth|data|attr|mod):`")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_module_in_the_table_is_a_command_once() -> None:
    names = [command.name for command in commands()]
    assert len(names) == len(COMMAND_MODULES)
    assert len(set(names)) == len(names)
    assert set(_subparsers(build_parser())) == set(names)


def test_a_module_missing_a_field_is_no_command() -> None:
    module = types.ModuleType("half_a_command")
    module.NAME, module.HELP, module.DESCRIPTION = "half", "one line", "text"
    module.arguments = lambda parser: None
    with pytest.raises(TypeError, match="half_a_command must define"):
        Command.from_module(module)
    module.run = lambda args: 0
    assert Command.from_module(module).name == "half"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"realtime-bus {realtime_bus.__version__}"


def test_every_help_shows_defaults_and_no_markup() -> None:
    parser = build_parser()
    texts = {"": parser.format_help()}
    for name, child in _subparsers(parser).items():
        text = child.format_help()
        texts[name] = text
        for action in child._actions:
            default = action.default
            if not action.option_strings or default is None or isinstance(default, bool):
                continue
            if default is argparse.SUPPRESS:
                continue
            shown = child._get_formatter()._expand_help(action)
            assert "default" in shown, f"{name} {action.option_strings[-1]} hides its default"
    for name, text in texts.items():
        assert not _MARKUP.search(text), f"markup in the help of {name or 'realtime-bus'}"


def test_usage_error_goes_to_stderr_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--max-session-seconds", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--max-session-seconds" in captured.err
    assert "must be positive" in captured.err
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_a_failure_is_one_line_on_stderr_and_non_zero() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "realtime_bus.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"realtime-bus serve: cannot listen on 127.0.0.1:{port}")


def test_serve_verbose_logs_refused_handshakes_with_the_reason() -> None:
    with cli_process("serve", "-v", "--port", "0", "--api-key", "sk-right") as proc:
        url = url_after(proc, "Realtime simulator")
        assert url
        with pytest.raises(websockets.InvalidStatus) as refused:
            sync_connect(url, additional_headers={"Authorization": "Bearer sk-wrong"})
        assert refused.value.response.status_code == 401
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    refusals = [line for line in err.splitlines() if "simulator_handshake_refused" in line]
    assert len(refusals) == 1, err
    assert "status=401" in refusals[0]
    assert "Incorrect API key provided." in refusals[0]
    assert "sk-wrong" not in err
