"""libsolv's solver testcases (``test/testcases/**/*.t`` of libsolv 0.7.23, the version Debian 12
ships) as zypper and dnf resolver cases.

A testcase declares repositories in the ``testtags`` format (``#>=Pkg: NAME VERSION RELEASE
ARCH`` and its ``Req:``/``Prv:``/``Con:`` … lines), which of them is installed (``system ARCH
rpm REPO``), jobs (``job install name X``) and the result (``result transaction,problems
<inline>``: ``install``/``erase``/``upgrade`` lines, or ``problem`` lines); ``nextjob`` starts
another step on the same repositories.  zypper's and dnf's defaults for an install or erase
are libsolv's own (recommends installed, no uninstalling to solve a conflict), so each step
whose jobs install or erase names becomes a case for each of them; a step needing solver or
pool flags, job flags, locks, favouring, updates, several architectures, vendors, repository
priorities or rich dependencies is skipped with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .apt import Translation, Unsupported

SUITE = Path("test/testcases")
_RELATIONS = {
    "Req": "depends",
    "Prv": "provides",
    "Con": "conflicts",
    "Obs": "obsoletes",
    "Rec": "recommends",
    "Sug": "suggests",
    "Sup": "supplements",
    "Enh": "enhances",
}
_OPERATORS = {"=": "=", ">=": ">=", "<=": "<=", "<": "<<", ">": ">>"}
_JOBS = {"install": "install", "erase": "remove"}
#: The clients whose defaults are libsolv's for an install or erase job (recommends
#: installed, nothing uninstalled to solve a conflict), with their option for each solver
#: flag they can set: each step is a case for each client that can express it.
_CLIENTS = {
    "suse": ("zypper", {"ignorerecommended": "--no-recommends"}),
    "rpm": (
        "dnf",
        {
            "ignorerecommended": "--setopt=install_weak_deps=False",
            "allowuninstall": "--allowerasing",
        },
    ),
}
_RESULT = re.compile(r"^(install|erase|upgrade|downgrade|problem)\b")
#: Result lines that say more than the transaction; they do not change it.
_COMMENTARY = {"recommended", "suggested", "alternative", "unneeded", "orphaned"}


@dataclass
class Testcase:
    """The repositories of one testcase file."""

    repos: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    priorities: dict[str, str] = field(default_factory=dict)
    system: str | None = None
    arch: str = "x86_64"
    problems: list[str] = field(default_factory=list)
    #: The testcase's directory, where a repository in another file is.
    directory: Path | None = None


def translate(checkout: Path) -> Translation:
    result = Translation()
    root = checkout / SUITE
    for file in sorted(root.rglob("*.t")):
        name = str(file.relative_to(root))
        _translate_file(name, file.read_text(errors="replace"), result, file.parent)
    return result


def _translate_file(
    name: str, text: str, result: Translation, directory: Path | None = None
) -> None:
    testcase = Testcase(directory=directory)
    lines = text.splitlines()
    steps: list[list[str]] = [[]]
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        words = line.split()
        if not words or (line.startswith("#") and not line.startswith("#>")):
            continue
        if words[0] == "repo":
            index = _repo(words, lines, index, testcase)
        elif words[0] == "system":
            _system(words, testcase)
        elif words[0] == "nextjob":
            steps.append([])
        elif words[0] in {"job", "result", "solverflags", "disable"}:
            steps[-1].append(line)
            if words[0] == "result" and words[-1] == "<inline>":
                while index < len(lines) and lines[index].startswith("#>"):
                    steps[-1].append(lines[index])
                    index += 1
        elif words[0] in {"poolflags", "namespace", "genid"}:
            testcase.problems.append(f"solver flags the clients cannot express: {words[0]}")
        else:
            testcase.problems.append(f"testcase command not modelled: {words[0]}")
    steps = [step for step in steps if step]
    for number, step in enumerate(steps, 1):
        where = f"{name}#{number}" if len(steps) > 1 else name
        try:
            _cases(where, step, testcase, result)
        except Unsupported as reason:
            result.skip(where, str(reason))


def _repo(words: list[str], lines: list[str], index: int, testcase: Testcase) -> int:
    """Read a ``repo NAME PRIORITY FORMAT SOURCE`` block; the index of the line after it."""
    name, priority, kind, source = [*words[1:], "", "", "", ""][:4]
    packages: list[dict[str, Any]] = []
    testcase.repos[name] = packages
    testcase.priorities[name] = priority
    if source == "<inline>":
        block = []
        while index < len(lines) and lines[index].startswith("#>"):
            block.append(lines[index][2:])
            index += 1
        if kind != "testtags":
            testcase.problems.append(f"repository format not modelled: {kind}")
        else:
            packages += _testtags(block, testcase)
    elif kind == "testtags" and testcase.directory is not None and "/" not in source:
        file = testcase.directory / source
        if file.is_file():
            packages += _testtags(file.read_text(errors="replace").splitlines(), testcase)
        else:
            testcase.problems.append(f"repository file missing: {source}")
    elif kind != "empty" and source != "empty":
        testcase.problems.append(f"repository format not modelled: {kind} {source}")
    return index


def _testtags(block: list[str], testcase: Testcase) -> list[dict[str, Any]]:
    packages: list[dict[str, Any]] = []
    multi: str | None = None  # the tag of a "+Tag:" … "-Tag:" block, one value a line
    for line in block:
        if multi is not None:
            if line.startswith(f"-{multi}:"):
                multi = None
            else:
                _tag(multi, line.strip(), packages, testcase)
            continue
        if not line.strip() or line.startswith("#"):
            continue  # a comment of a repository file
        tag, _, value = line.partition(":")
        if tag.startswith("+"):
            multi = tag[1:]
        elif tag == "=Pkg":
            fields = value.split()
            if len(fields) != 4:
                testcase.problems.append(f"package line not modelled: {value.strip()}")
                fields = (fields + ["?"] * 4)[:4]
            name, version, release, arch = fields
            packages.append({"name": name, "version": f"{version}-{release}", "arch": arch})
        elif tag != "=Ver":  # the format's version, before the first package
            _tag(tag[1:], value.strip(), packages, testcase)
    return packages


def _tag(tag: str, value: str, packages: list[dict[str, Any]], testcase: Testcase) -> None:
    if tag in _RELATIONS and packages:
        packages[-1].setdefault(_RELATIONS[tag], []).append(_relation(value, testcase))
    else:
        testcase.problems.append(f"package data not modelled: {tag}")


def _relation(text: str, testcase: Testcase) -> str:
    words = text.split()
    if len(words) == 1 and "(" not in text:
        return text
    if len(words) == 3 and words[1] in _OPERATORS and "(" not in text:
        return f"{words[0]} ({_OPERATORS[words[1]]} {words[2]})"
    testcase.problems.append(f"rich dependency not modelled: {text}")
    return text


def _system(words: list[str], testcase: Testcase) -> None:
    arch, disttype, installed = [*words[1:], "", "", ""][:3]
    if disttype not in {"rpm", "*"}:
        testcase.problems.append(f"package type not modelled: {disttype}")
    testcase.system = installed if installed not in {"", "*"} else None
    testcase.arch = arch


def _cases(where: str, step: list[str], testcase: Testcase, result: Translation) -> None:
    """Add the step as a case for each client that can express it."""
    flags = [
        flag
        for line in step
        if line.startswith(("solverflags", "disable"))
        for flag in (line.split()[1:] if line.startswith("solverflags") else ["disable"])
    ]
    expressed = {flag for options in _CLIENTS.values() for flag in options[1]}
    unexpressed = [flag for flag in flags if flag not in expressed]
    if unexpressed:
        raise Unsupported(f"solver flags the clients cannot express: {unexpressed[0]}")
    jobs = [line.split() for line in step if line.startswith("job ")]
    results = [line for line in step if line.startswith("result ")]
    if not jobs:
        raise Unsupported("not a resolver request: no job")
    if testcase.problems:
        raise Unsupported(testcase.problems[0])
    if len(set(testcase.priorities.values())) > 1:
        raise Unsupported("repository priorities not modelled")
    action, names = _request(jobs)
    if flags and action != "install":
        raise Unsupported(f"solver flags with {action} not modelled")
    expect = _expectation(results, step, testcase)
    installed, available = _packages(testcase)
    for family, (client, options) in _CLIENTS.items():
        missing = [flag for flag in flags if flag not in options]
        if missing:
            result.skip(where, f"solver flags {client} cannot express: {missing[0]}")
            continue
        case: dict[str, Any] = {"name": where, "family": family, "packages": available}
        if installed:
            case["installed"] = installed
        words = [client, action, *(options[flag] for flag in flags), *names]
        case["request"] = " ".join(words)
        case["expect"] = expect
        result.cases.append(case)


def _request(jobs: list[list[str]]) -> tuple[str, list[str]]:
    """The action (install or remove) of the step's jobs, and the names they select."""
    actions = set()
    names = []
    for job in jobs:
        verb, selection, *rest = job[1:]
        if verb not in _JOBS:
            raise Unsupported(f"job not modelled: {verb}")
        if any(word.startswith("[") for word in rest):
            raise Unsupported(f"job flags the clients cannot express: {' '.join(rest)}")
        if selection not in {"name", "provides"} or len(rest) != 1:
            raise Unsupported(f"job selection not modelled: {selection}")
        actions.add(_JOBS[verb])
        names.append(rest[0])
    if len(actions) > 1:
        raise Unsupported("install and remove in one request")
    return actions.pop(), names


def _expectation(results: list[str], step: list[str], testcase: Testcase) -> dict[str, Any]:
    if len(results) != 1 or not results[0].endswith("<inline>"):
        raise Unsupported("result not stated inline")
    kinds = set(results[0].split()[1].split(","))
    if not {"transaction", "problems"} <= kinds:
        raise Unsupported(f"result is not a transaction: {results[0].split()[1]}")
    install: list[str] = []
    upgrade: list[str] = []
    remove: list[str] = []
    failed = False
    for line in step[step.index(results[0]) + 1 :]:
        words = line[2:].split()
        verb = words[0]
        if verb == "problem":
            failed = True
        elif verb == "install":
            install.append(_nevra(words[1], testcase))
        elif verb == "erase":
            remove.append(_nevra(words[1], testcase))
        elif verb in {"upgrade", "downgrade"}:
            upgrade.append(_nevra(words[2], testcase))
        elif verb not in _COMMENTARY:
            raise Unsupported(f"result line not modelled: {verb}")
    if failed:
        return {"ok": False}
    # All three, so that a resolution doing more than the step states differs from it.
    return {"install": install, "upgrade": upgrade, "remove": remove}


def _nevra(text: str, testcase: Testcase) -> str:
    """``NAME=VERSION-RELEASE`` of ``NAME-VERSION-RELEASE.ARCH@REPO``."""
    nevra, _, repo = text.partition("@")
    for package in testcase.repos.get(repo, ()):
        if f"{package['name']}-{package['version']}.{package['arch']}" == nevra:
            return f"{package['name']}={package['version']}"
    raise Unsupported(f"result names an unknown package: {text}")


def _packages(testcase: Testcase) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The installed and the available packages, in repogen's architectures."""
    installed: list[dict[str, Any]] = []
    available: list[dict[str, Any]] = []
    for repo, packages in testcase.repos.items():
        for package in packages:
            converted = dict(package)
            if package["arch"] == "noarch":
                del converted["arch"]
            elif package["arch"] == testcase.arch:
                converted["arch"] = "x86_64"
            else:
                raise Unsupported(
                    f"multi-arch: {package['name']} for {package['arch']} on {testcase.arch}"
                )
            (installed if repo == testcase.system else available).append(converted)
    return installed, available
