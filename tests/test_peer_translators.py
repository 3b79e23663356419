"""The peer-scenario translators (tests/peers) on small upstream-style files: what becomes a
case, and what is skipped with which reason."""

from __future__ import annotations

from pathlib import Path

from .peers import apt, libsolv
from .peers.shell import Block, Command, commands

APT_SCRIPT = """#!/bin/sh
set -e

TESTDIR="$(readlink -f "$(dirname "$0")")"
. "$TESTDIR/framework"
setupenvironment
configarchitecture 'amd64'

insertinstalledpackage 'old' 'all' '1'
insertpackage 'unstable' 'a' 'all' '1' 'Depends: b | c
Conflicts: old'
insertpackage 'unstable,stable' 'b' 'amd64' '1'
insertpackage 'unstable' 'c' 'all' '1'

setupaptarchive

testsuccessequal 'Reading package lists...
Building dependency tree...
The following packages will be REMOVED:
  old
The following NEW packages will be installed:
  a b
Remv old [1]
Inst b (1 unstable [amd64])
Inst a (1 unstable [all])
Conf b (1 unstable [amd64])
Conf a (1 unstable [all])' aptget install a -s -o Debug::pkgProblemResolver=1

testfailureequal 'Reading package lists...
E: Unable to locate package nothing' aptget install nothing -s
testsuccess aptget source a -s
testsuccessequal 'Inst cc (1 unstable [all])' aptget install c/stable -s
testsuccess aptget install c -y
testsuccessequal 'Inst c (1 unstable [all])' aptget install c -s
"""

LIBSOLV_CASE = """repo system 0 testtags <inline>
#>=Pkg: A 1 1 noarch
repo test 0 testtags <inline>
#>=Pkg: A 2 1 noarch
#>=Pkg: X 1 1 i686
#>=Req: A >= 2
system i686 rpm system
job install name X
result transaction,problems <inline>
#>install X-1-1.i686@test
#>upgrade A-1-1.noarch@system A-2-1.noarch@test
nextjob
job distupgrade all
result transaction,problems <inline>
nextjob
solverflags allowuninstall
job install name X
result transaction,problems <inline>
"""


def _checkout(root: Path, suite: Path, name: str, text: str) -> Path:
    (root / suite / name).parent.mkdir(parents=True, exist_ok=True)
    (root / suite / name).write_text(text)
    return root


def test_shell_commands_span_quoted_lines_and_blocks_hold_theirs() -> None:
    script = "insertpackage 'u' 'a' 'all' '1' 'Depends: b\nConflicts: c'\nfoo() {\n  x $1\n}\n"
    script += "for s in 'apt' internal; do\n  foo \"$s\"\ndone\n"
    command, function, loop = commands(script)
    assert isinstance(command, Command)
    assert command.words == ("insertpackage", "u", "a", "all", "1", "Depends: b\nConflicts: c")
    assert isinstance(function, Block)
    assert (function.kind, function.words, function.body) == (
        "function",
        ("function", "foo"),
        [Command(4, ("x", "$1"), "  x $1")],
    )
    assert isinstance(loop, Block)
    assert loop.loop() == ("s", ["apt", "internal"])
    assert loop.body == [Command(7, ("foo", "$s"), '  foo "$s"')]


def test_an_apt_step_becomes_a_case_with_the_stated_transaction(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, apt.SUITE, "test-example", APT_SCRIPT)
    translation = apt.translate(checkout)
    first, second = translation.cases
    assert first == {
        "name": "test-example:17",
        "packages": [
            {"name": "aa", "version": "1", "arch": "all", "depends": ["bb | cc"],
             "conflicts": ["old"]},
            {"name": "bb", "version": "1", "arch": "amd64"},
            {"name": "cc", "version": "1", "arch": "all"},
        ],
        "installed": [{"name": "old", "version": "1", "arch": "all"}],
        "request": "apt-get install aa",
        "expect": {"install": ["bb=1", "aa=1"], "upgrade": [], "remove": ["old=1"]},
    }  # fmt: skip
    assert second["request"] == "apt-get install nothing"
    assert second["expect"] == {"ok": False}
    assert translation.skipped == [
        {"step": "test-example:31", "reason": "not a resolver request: apt-get source"},
        {"step": "test-example:32", "reason": "needs pinning: NAME/RELEASE"},
        {"step": "test-example:33", "reason": "real run: apt-get without -s changes the state"},
        {
            "step": "test-example:34",
            "reason": "state not translated: real run: apt-get without -s",
        },
    ]


def test_apt_upgrade_commands_are_requests_as_apt_has_them(tmp_path: Path) -> None:
    script = "insertpackage 'unstable' 'pkg' 'all' '2'\ninsertinstalledpackage 'pkg' 'all' '1'\n"
    steps = ["aptget dist-upgrade -s", "aptget upgrade -s --with-new-pkgs", "apt upgrade -s"]
    steps += ["apt upgrade -s --without-new-pkgs", "aptget upgrade -s"]
    script += "".join(f"testsuccessequal 'Inst pkg [1] (2 unstable [all])' {s}\n" for s in steps)
    cases = apt.translate(_checkout(tmp_path, apt.SUITE, "test-up", script)).cases
    assert [c["request"] for c in cases] == [
        "apt-get dist-upgrade",
        "apt upgrade",
        "apt upgrade",
        "apt-get upgrade",
        "apt-get upgrade",
    ]
    assert cases[0]["expect"] == {"install": [], "upgrade": ["pkg=2"], "remove": []}


def test_apt_essential_protected_and_source_are_package_facts(tmp_path: Path) -> None:
    fields = "Essential: yes\nProtected: no\nSource: src (1)"
    script = f"insertinstalledpackage 'pkg' 'all' '1' '{fields}'\n"
    script += "testfailure aptget remove pkg -s\n"
    (case,) = apt.translate(_checkout(tmp_path, apt.SUITE, "test-ess", script)).cases
    (package,) = case["installed"]
    assert (package["essential"], package["protected"], package["source"]) == (True, False, "src")


def test_a_script_without_packages_is_skipped_whole(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, apt.SUITE, "test-update", "testsuccess aptget update\n")
    assert apt.translate(checkout).skipped == [
        {"step": "test-update", "reason": "no package scenario (not a resolver test)"}
    ]


def test_a_libsolv_step_becomes_a_case_for_each_client_that_can_express_it(tmp_path: Path) -> None:
    checkout = _checkout(tmp_path, libsolv.SUITE, "choose/example.t", LIBSOLV_CASE)
    translation = libsolv.translate(checkout)
    zypper, dnf, erasing = translation.cases
    assert zypper == {
        "name": "choose/example.t#1",
        "family": "suse",
        "packages": [
            {"name": "A", "version": "2-1"},
            {"name": "X", "version": "1-1", "arch": "x86_64", "depends": ["A (>= 2)"]},
        ],
        "installed": [{"name": "A", "version": "1-1"}],
        "request": "zypper install X",
        "expect": {"install": ["X=1-1"], "upgrade": ["A=2-1"], "remove": []},
    }
    assert dnf["family"] == "rpm"
    assert dnf["request"] == "dnf install X"
    assert (erasing["name"], erasing["request"]) == (
        "choose/example.t#3",
        "dnf install --allowerasing X",
    )
    assert translation.skipped == [
        {"step": "choose/example.t#2", "reason": "job not modelled: distupgrade"},
        {
            "step": "choose/example.t#3",
            "reason": "solver flags zypper cannot express: allowuninstall",
        },
    ]


def test_an_apt_function_runs_where_it_is_called_and_a_loop_once_per_word(
    tmp_path: Path,
) -> None:
    script = """insertpackage 'unstable' 'pkg' 'all' '1'
check() {
	testsuccessequal "Inst pkg (1 unstable [all])" aptget install "$1" -s
}
check pkg
for solver in 'internal' 'dump'; do
	testfailure aptget install nothing -s --solver $solver
done
if [ -n "$X" ]; then
	testsuccess aptget install pkg -s
fi
testfailure aptget install nothing -s
"""
    translation = apt.translate(_checkout(tmp_path, apt.SUITE, "test-blocks", script))
    assert [(c["name"], c["request"]) for c in translation.cases] == [
        ("test-blocks:5>3", "apt-get install pkg"),
        ("test-blocks:6[solver=internal]>7", "apt-get install nothing"),
        ("test-blocks:12", "apt-get install nothing"),
    ]
    assert translation.skipped == [
        {"step": "test-blocks:6[solver=dump]>7", "reason": "option not modelled: --solver dump"},
        {"step": "test-blocks:10", "reason": "shell control flow: step inside a if"},
    ]


def test_apt_fixture_files_and_a_trivial_only_listing(tmp_path: Path) -> None:
    script = """setupenvironment
configarchitecture 'i386'
setupaptarchive
testfailureequal 'Reading package lists...
The following packages will be REMOVED:
  old
The following NEW packages will be installed:
  g++
E: Trivial Only specified but this is not a trivial operation.' aptget install g+++ --trivial-only
"""
    checkout = _checkout(tmp_path, apt.SUITE, "test-bug-1-listing", script)
    directory = checkout / apt.SUITE
    (directory / "Packages-bug-1-listing").write_text(
        "Package: g++\nVersion: 1\nArchitecture: i386\nPriority: required\n"
        "Conflicts: old\nMaintainer: x\nDescription: x\n"
    )
    (directory / "status-bug-1-listing").write_text(
        "Package: old\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n\n"
        "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: all\n"
    )
    (case,) = apt.translate(checkout).cases
    assert case == {
        "name": "test-bug-1-listing:4",
        "packages": [
            {"name": "g++", "version": "1", "arch": "amd64", "priority": "required",
             "conflicts": ["old"]},
        ],
        "installed": [{"name": "old", "version": "1", "arch": "all"}],
        "request": "apt-get install g++",
        "expect": {"install": ["g++"], "upgrade": [], "remove": ["old"]},
    }  # fmt: skip
