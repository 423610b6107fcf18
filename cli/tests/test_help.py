"""Help for every command, the exit codes documented in `nax help` and nax.1 as
cli.h defines them, and a man page that groff and man read without warnings."""

import os
import re
import shutil
import subprocess

import pytest

from conftest import EXIT_USAGE, REPO, Cli

COMMANDS = ["markets", "ticker", "book", "trades", "login", "balances", "api-keys", "order",
            "cancel-all", "fills", "deposit-address", "withdraw", "transactions", "fiat",
            "stream", "webhook", "help"]
MAN = REPO / "cli" / "nax.1"


@pytest.fixture
def cli(home):
    return Cli(home)


def test_overview_lists_every_command(cli):
    out = cli("help").expect(0).out
    assert out.startswith("usage: nax ")
    listed = re.findall(r"^  ([a-z-]+)\s", out.split("Commands:")[1].split("\n\n")[0], re.M)
    assert listed == COMMANDS
    assert cli("--help").expect(0).out == out
    # no command at all: the overview on stderr, a usage error
    r = cli().expect(EXIT_USAGE)
    assert r.err == out and r.out == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command(cli, command):
    text = cli("help", command).expect(0).out
    assert text.startswith(f"usage: nax {command}")
    assert cli(command, "--help").expect(0).out == text
    assert cli(command, "-h").expect(0).out == text


@pytest.mark.parametrize("args,topic", [
    (["order", "place", "--help"], "order"), (["order", "list", "--help"], "order"),
    (["fiat", "deposit", "--help"], "fiat"), (["api-keys", "create", "--help"], "api-keys"),
    (["webhook", "sign", "--help"], "webhook"), (["help", "order", "place"], "order"),
])
def test_help_of_subcommands(cli, args, topic):
    assert cli(*args).expect(0).out == cli("help", topic).expect(0).out


def test_help_of_unknown_command(cli):
    r = cli("help", "frobnicate").expect(EXIT_USAGE)
    assert "no help for 'frobnicate'" in r.err


def test_version(cli):
    assert re.fullmatch(r"nax \d+\.\d+\.\d+ \(libnax \d+\.\d+\.\d+\)\n",
                        cli("--version").expect(0).out)


def exit_codes():
    """{code: name} from the enum in cli/cli.h."""
    text = (REPO / "cli" / "cli.h").read_text()
    return {int(n): name for name, n in re.findall(r"\b(EXIT_[A-Z]+) = (\d+),?", text)}


def test_exit_codes_are_documented(cli):
    codes = exit_codes()
    assert sorted(codes) == list(range(13))
    overview = cli("help").expect(0).out.split("Exit codes")[1]
    documented = [int(n) for n in re.findall(r"^\s{1,3}(\d+)  \S", overview, re.M)]
    assert documented == sorted(codes)
    man = MAN.read_text().split(".SH EXIT STATUS")[1].split(".SH ")[0]
    assert [int(n) for n in re.findall(r"^\.B (\d+)$", man, re.M)] == sorted(codes)
    # the classes of nax_error_class_of() are named
    for klass in ("ARGUMENT", "DATA", "NETWORK", "HTTP", "STATE", "MEMORY", "SYSTEM"):
        assert f"NAX_ERRCLASS_{klass}" in overview and f"NAX_ERRCLASS_{klass}" in man


def test_man_page_covers_every_command():
    text = MAN.read_text().replace("\\-", "-")
    for command in COMMANDS:
        assert re.search(rf"^\.(B|BI|TP)?\s*.*\b{re.escape(command)}\b", text, re.M), command
    for var in ("NAX_URL", "NAX_API_KEY", "NAX_API_SECRET", "NAX_TOKEN", "NAX_PASSWORD",
                "NAX_WEBHOOK_SECRET", "XDG_CONFIG_HOME"):
        assert var in text


@pytest.mark.skipif(not shutil.which("groff"), reason="groff not installed (Debian groff-base)")
def test_man_page_groff_clean():
    p = subprocess.run(["groff", "-man", "-z", "-ww", str(MAN)], capture_output=True, text=True)
    assert p.returncode == 0 and p.stderr == "", p.stderr


@pytest.mark.skipif(not shutil.which("man"), reason="man not installed (Debian man-db)")
def test_man_page_man_warnings_clean():
    env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    p = subprocess.run(["man", "--warnings", "-l", str(MAN)], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    assert "EXIT STATUS" in p.stdout
