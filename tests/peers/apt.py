"""apt's integration tests (``test/integration/test-*`` of apt 2.6.1) as resolver cases.

A test script builds an archive (``insertpackage RELEASES NAME ARCH VERSION [FIELDS
[PRIORITY]]``) and a dpkg status file (``insertinstalledpackage NAME ARCH VERSION [FIELDS
[PRIORITY [STATUS]]]``), then states what ``apt-get`` prints (``testsuccessequal OUTPUT
aptget install X -s``, ``testfailureequal …``).  Every such ``apt-get``/``apt`` step becomes
one case: the packages inserted so far, the request, and the transaction the ``Inst``/``Remv``
lines of the stated output describe (or failure).  A step is skipped, with the reason, when
repogen cannot express it: several architectures, pinning, a command other than
``install``/``remove``/``purge`` or the upgrades, a state changed by something other than the
two insert commands (a real install, ``apt-mark``, a written configuration file) …
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from debian.deb822 import Deb822

from repogen.model.relations import Relation, RelationSyntaxError, parse_relation

from .shell import Block, Command, commands

#: Where the scripts are in an apt checkout.
SUITE = Path("test/integration")
#: Control fields that are relations, and the case key of each.
_RELATIONS = {
    "Depends": "depends",
    "Pre-Depends": "pre_depends",
    "Recommends": "recommends",
    "Suggests": "suggests",
    "Enhances": "enhances",
    "Conflicts": "conflicts",
    "Breaks": "breaks",
    "Replaces": "replaces",
    "Provides": "provides",
}
#: Fields of a Packages or status file that say nothing a resolver reads.
_INFORMATIONAL = {
    "Package", "Version", "Architecture", "Priority", "Status", "Section", "Maintainer",
    "Original-Maintainer", "Orig-Maintainer", "Description", "Description-md5",
    "Description-de", "Installed-Size", "Size", "Filename", "MD5Sum", "MD5sum", "SHA1",
    "SHA256", "SHA512", "Homepage", "Origin", "Bugs", "Conffiles", "Config-Version",
    "Supported", "Task", "Tag", "Python-Version", "Python-Runtime", "Build-Essential",
}  # fmt: skip
#: Control fields of the package facts the resolvers read besides the relations.
_FACTS = {"Essential", "Protected", "Source"}
_REQUESTS = {"install", "remove", "purge"}
#: The upgrade commands, each a request as they are.
_UPGRADES = {"upgrade", "dist-upgrade", "full-upgrade"}
#: The releases apt's test framework marks NotAutomatic (priority 1).
_NOT_AUTOMATIC = {"experimental", "experimental2"}
#: apt-get commands that leave the installed state as it is, even when not simulated.
_READ_ONLY = {
    "update",
    "check",
    "source",
    "download",
    "changelog",
    "clean",
    "autoclean",
    "show",
    "showsrc",
    "list",
    "search",
    "policy",
    "depends",
    "rdepends",
    "indextargets",
    "moo",
    "help",
}
_SIMULATE = {"-s", "--simulate", "--just-print", "--dry-run", "--recon", "--no-act"}
#: Options that change only what apt-get prints.
_QUIET = {"-q", "-qq", "-q=0", "-q=1", "-q=2", "-y", "--yes", "--assume-yes", "-V"}
#: Options that make apt-get stop after listing the transaction (its expectation says so).
_STOPPING = {"--trivial-only", "--assume-no"}
#: Options that ask for what apt-get does anyway.
_DEFAULTS = {"--no-install-suggests"}
#: ``-o`` settings that change only what apt-get prints.
_PRINTING = ("debug::", "apt::get::show-", "apt::get::hideautoremove", "quiet")
_KEPT_OPTIONS = {"--no-install-recommends", "--install-recommends"}
#: What a failed resolution prints, as opposed to an abort at the prompt or an unknown option.
_RESOLUTION_FAILURES = (
    "E: Unable to correct problems",
    "E: Unable to locate package",
    "has no installation candidate",
    "unmet dependencies",
    "E: Version '",
    "E: Error, pkgProblemResolver::Resolve generated breaks",
    "is not installed, so not removed",
)
#: How apt-get says it resolved the request but stops before acting on it.
_STOPS = re.compile(
    r"^(E: Trivial Only specified but this is not a trivial operation\.|Abort\.)$", re.M
)
#: apt-get's lists of packages, and the transaction each is part of.
_LISTS = {
    "The following NEW packages will be installed": "install",
    "The following packages will be upgraded": "upgrade",
    "The following packages will be DOWNGRADED": "upgrade",
    "The following packages will be REMOVED": "remove",
}
_ACTION = re.compile(
    r"^(?P<action>Inst|Remv|Purg) (?P<name>\S+)(?: \[(?P<old>[^\]]+)\])?(?: \((?P<new>\S+) )?"
)
#: Commands that leave the archive and the status file as they are.
_HARMLESS = {
    "setupenvironment",
    "setupaptarchive",
    "buildaptarchive",
    "changetowebserver",
    "changetohttpswebserver",
    "msgmsg",
    "msgtest",
    "msginfo",
    "msgdone",
    "set",
    ".",
    "testdpkginstalled",
    "testdpkgnotinstalled",
    "testmarkedauto",
    "testmarkedmanual",
    "testnopackage",
    "testempty",
    "testequalpolicycoolstuff",
    "aptcache",  # reads the cache (gencaches, policy)
    "configcompression",  # how the archive's indices are compressed
    "confighashes",  # which hashes the archive's Release file lists
}
#: Client commands that read the state without changing it.
_READERS = {"aptcache", "aptconfig", "aptftparchive", "apthelper", "dpkgquery", "cat", "grep"}
_STEPS = {
    "testsuccessequal",
    "testfailureequal",
    "testsuccess",
    "testfailure",
    "testfailuremsg",
    "testequal",
    "testwarning",
    "testwarningequal",
    "testsuccesswithnotice",
    "testwarningmsg",
}


class Unsupported(Exception):
    """A scenario step repogen cannot express; the message is the reason."""


@dataclass
class Scenario:
    """The archive and status file a script has built so far."""

    arches: list[str] = field(default_factory=lambda: ["amd64"])
    #: (release, package) pairs, in the order inserted.
    archive: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    installed: list[dict[str, Any]] = field(default_factory=list)
    #: Set once the state depends on something not translated: why.
    unknown: str | None = None
    #: Why each package inserted so far cannot be expressed.
    problems: list[str] = field(default_factory=list)


@dataclass
class Translation:
    cases: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append({"step": where, "reason": reason})


def translate(checkout: Path) -> Translation:
    """Every resolving step of the scripts under *checkout*'s ``test/integration``."""
    result = Translation()
    for script in sorted((checkout / SUITE).glob("test-*")):
        _translate_script(script.name, script.read_text(errors="replace"), result, script.parent)
    return result


def _translate_script(
    name: str, text: str, result: Translation, directory: Path | None = None
) -> None:
    tree = commands(text)
    fixture = name.partition("-")[2]
    files = {
        kind: directory / f"{kind}-{fixture}"
        for kind in ("Packages", "status")
        if directory is not None and (directory / f"{kind}-{fixture}").is_file()
    }
    if not files and not re.search(r"^\s*insert(installed)?package ", text, re.M):
        result.skip(name, "no package scenario (not a resolver test)")
        return
    _Script(name, result, files).run(tree, "", {})


#: How deep function calls are followed (a script's helpers call each other).
_CALL_DEPTH = 5


class _Script:
    """One script read in the order the shell runs it: a function's commands where it is
    called, a ``for`` loop's once per word, with the words substituted."""

    def __init__(self, name: str, result: Translation, files: dict[str, Path]) -> None:
        self.name = name
        self.result = result
        self.scenario = Scenario()
        self.variables: dict[str, str] = {}
        self.functions: dict[str, Block] = {}
        #: The Packages and status files the framework copies in for the script by its name.
        self.files = dict(files)

    def run(self, nodes: list[Command | Block], where: str, local: dict[str, str]) -> None:
        for node in nodes:
            if isinstance(node, Block):
                self.block(node, where, local)
            else:
                self.command(node, where, local)

    def block(self, block: Block, where: str, local: dict[str, str]) -> None:
        if block.kind == "function":
            self.functions[block.words[1]] = block
            return
        loop = block.loop()
        if loop is not None and not block.branches:
            variable, values = loop
            for value in _words(values, {**self.variables, **local}):
                here = f"{where}{block.line}[{variable}={value}]>"
                self.run(block.body, here, {**local, variable: value})
            return
        # What an if/while/case runs depends on the shell: its steps are not translated, and
        # after it the state is not known, unless all it can run leaves the state alone.
        for step in _steps(block.body):
            self.result.skip(
                f"{self.name}:{where}{step.line}",
                f"shell control flow: step inside a {block.kind}",
            )
        if not _leaves_state(block.body):
            self.scenario.unknown = self.scenario.unknown or f"shell control flow: a {block.kind}"

    def command(self, command: Command, where: str, local: dict[str, str]) -> None:
        scenario = self.scenario
        if command.unparsed:
            scenario.unknown = scenario.unknown or f"unparsed: line {command.line}"
            return
        words = _words(list(command.words), {**self.variables, **local})
        if words[:1] == ["local"]:
            words = words[1:]
        assignments = [re.fullmatch(r"([A-Za-z_]\w*)=(.*)", w, re.S) for w in words]
        if words and all(assignments):
            # Variables holding an expected output, a package's fields, a function's
            # argument; a function's locals are kept as the script's.
            self.variables.update((m[1], m[2]) for m in assignments if m)
            return
        substituted = replace(command, words=tuple(words))
        if not words:
            return
        if words[0] in self.functions and where.count(">") < _CALL_DEPTH:
            arguments = {str(i): word for i, word in enumerate(words[1:], 1)}
            arguments["@"] = " ".join(words[1:])
            body = self.functions[words[0]].body
            self.run(body, f"{where}{command.line}>", {**local, **arguments})
            return
        if words[0] in _STEPS:
            _step(f"{self.name}:{where}{command.line}", substituted, scenario, self.result)
            return
        try:
            _state(substituted, scenario)
        except Unsupported as reason:
            scenario.unknown = scenario.unknown or str(reason)
        self.fixtures(words[0])

    def fixtures(self, command: str) -> None:
        """The framework's copies: the status file when the architecture is configured and
        none was written yet, the Packages file when the archive is set up."""
        if command == "configarchitecture" and "status" in self.files:
            if not self.scenario.installed:
                _load(self.files["status"], self.scenario, installed=True)
            del self.files["status"]
        if command == "setupaptarchive" and "Packages" in self.files:
            _load(self.files.pop("Packages"), self.scenario, installed=False)


def _leaves_state(nodes: list[Command | Block]) -> bool:
    """Whether *nodes* only read: simulated apt-get steps, readers, messages."""
    for node in nodes:
        if isinstance(node, Block):
            if not _leaves_state(node.body):
                return False
            continue
        words = [w for w in node.words if w != "--nomsg"]
        if not words or node.unparsed or (words[0] not in _STEPS and words[0] not in _HARMLESS):
            return False
        if words[0] not in _STEPS:
            continue
        stated = words[0] in {"testsuccessequal", "testfailureequal", "testequal", "testfailuremsg"}
        program, *arguments = words[2:] if stated else words[1:]
        if program in {"aptget", "apt"}:
            if not any(_simulates(word) for word in _split(arguments)[1]):
                return False
        elif program not in _READERS:
            return False
    return True


def _steps(nodes: list[Command | Block]) -> list[Command]:
    """The test steps among *nodes*, at any depth."""
    found: list[Command] = []
    for node in nodes:
        if isinstance(node, Block):
            found += _steps(node.body)
        elif node.words[:1] and node.words[0] in _STEPS:
            found.append(node)
    return found


def _words(words: list[str], variables: dict[str, str]) -> list[str]:
    """*words* with ``$NAME``/``${NAME}`` of the known variables substituted (``$@``, a word
    of its own, becomes the words it holds); other expansions are left as written."""
    result: list[str] = []
    for word in words:
        if word in ("$@", "$*") and "@" in variables:
            result += variables["@"].split()
            continue
        result.append(
            re.sub(
                r"\$\{?([A-Za-z_]\w*|[0-9])\}?",
                lambda m: variables.get(m[1], m[0]),
                word,
            )
        )
    return result


def _state(command: Command, scenario: Scenario) -> None:
    """Apply a command that is not a test step to *scenario*."""
    word, *args = command.words
    if word in _HARMLESS or re.fullmatch(r"[A-Z_]+=.*", word):
        return
    if any("$" in w or "`" in w for w in command.words):
        raise Unsupported(f"shell expansion: {word}")
    if word == "configarchitecture":
        scenario.arches = args
    elif word == "insertpackage":
        _insert(args, scenario)
    elif word == "insertinstalledpackage":
        _insert_installed(args, scenario)
    else:
        raise Unsupported(f"untranslated command: {word}")


def _fields(text: str) -> dict[str, str]:
    """The control fields of an insert command's FIELDS argument (printf %b)."""
    text = text.replace("\\n", "\n")
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0] in " \t" and last is not None:
            fields[last] += " " + line.strip()
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise Unsupported(f"control field not modelled: {line!r}")
        last = key.strip()
        fields[last] = value.strip()
    return fields


def _debian(name: str) -> str:
    """*name* as a Debian package name: apt's tests name packages ``a``, ``b`` …, which dpkg
    refuses (Debian policy §5.6.1: two characters at least), so those are doubled (``aa``),
    which keeps their order."""
    return name * 2 if len(name) == 1 else name


def _package(
    name: str, arch: str, version: str, extra: str, priority: str, scenario: Scenario
) -> dict[str, Any]:
    package: dict[str, Any] = {"name": _debian(name), "version": version}
    native = scenario.arches[0] if scenario.arches else "amd64"
    if arch == "all":
        package["arch"] = "all"
    elif arch == native:
        package["arch"] = "amd64"
    elif arch == "none":
        scenario.problems.append(f"control field not modelled: {name} without Architecture")
    else:
        scenario.problems.append(f"multi-arch: {name} for architecture {arch}")
    if priority not in ("", "optional"):
        # Recorded, not modelled (apt's problem resolver scores by it): the real client,
        # given the packages without it, shows whether the step depends on it.
        package["priority"] = priority
    for key, value in _fields(extra).items():
        if key in _RELATIONS:
            items = []
            for item in (item.strip() for item in value.split(",") if item.strip()):
                try:
                    relation = parse_relation(item)
                except RelationSyntaxError:
                    scenario.problems.append(f"relation not expressible: {item!r}")
                    continue
                if any(a.qualifier for a in relation.alternatives):
                    scenario.problems.append(f"multi-arch: qualified relation {item!r}")
                renamed = (replace(a, name=_debian(a.name)) for a in relation.alternatives)
                items.append(str(Relation(tuple(renamed))))
            package[_RELATIONS[key]] = items
        elif key == "Source":
            package["source"] = value.split()[0]  # without the "(version)" it may carry
        elif key in _FACTS:
            package[key.lower()] = value.strip() == "yes"
        elif key == "Multi-Arch":
            scenario.problems.append(f"multi-arch: Multi-Arch: {value}")
        else:
            scenario.problems.append(f"control field not modelled: {key}")
    return package


def _load(file: Path, scenario: Scenario, installed: bool) -> None:
    """The packages of a Packages or dpkg status file (python-debian reads it)."""
    for paragraph in Deb822.iter_paragraphs(file.read_text(errors="replace")):
        status = paragraph.get("Status", "install ok installed")
        if installed and status.endswith(("not-installed", "config-files")):
            continue  # dpkg remembers it, apt does not count it as installed
        if installed and status != "install ok installed":
            scenario.problems.append(f"dpkg status not modelled: {status!r}")
        extra = "\n".join(
            f"{key}: {value}" for key, value in paragraph.items() if key not in _INFORMATIONAL
        )
        package = _package(
            paragraph["Package"],
            paragraph.get("Architecture", "none"),
            paragraph["Version"],
            extra,
            paragraph.get("Priority", ""),
            scenario,
        )
        if "Installed-Size" in paragraph:
            # apt tells versions apart by it (with the relations): an installed version whose
            # size differs from the archive's of the same number is another version.
            package["installed_size"] = paragraph["Installed-Size"]
        if installed:
            scenario.installed.append(package)
        else:
            scenario.archive.append(("", package))


def _insert(args: list[str], scenario: Scenario) -> None:
    releases, name, arch, version, extra, priority = (args + [""] * 6)[:6]
    for release in releases.split(","):
        for one in arch.split(","):
            package = _package(name, one, version, extra, priority, scenario)
            if release == "installed":
                scenario.installed.append(package)
            else:
                if release in _NOT_AUTOMATIC:
                    scenario.problems.append(f"needs pinning: NotAutomatic release {release}")
                scenario.archive.append((release, package))


def _insert_installed(args: list[str], scenario: Scenario) -> None:
    name, arch, version, extra, priority, status = (args + [""] * 6)[:6]
    if status not in ("", "install ok installed"):
        scenario.problems.append(f"dpkg status not modelled: {status!r}")
    for one in arch.split(","):
        scenario.installed.append(_package(name, one, version, extra, priority, scenario))


def _step(where: str, command: Command, scenario: Scenario, result: Translation) -> None:
    try:
        case = _case(where, command, scenario)
    except Unsupported as reason:
        result.skip(where, str(reason))
        return
    result.cases.append(case)


def _case(where: str, command: Command, scenario: Scenario) -> dict[str, Any]:
    """The case a test step states."""
    check, *rest = command.words
    if rest[:1] == ["--nomsg"]:
        rest = rest[1:]
    stated = check in {"testsuccessequal", "testfailureequal", "testequal", "testfailuremsg"}
    output, run = (rest[0], rest[1:]) if stated and rest else ("", rest)
    if not run:
        raise Unsupported("not a resolver request: no command")
    program, *arguments = run
    if program not in {"aptget", "apt"}:
        if program not in _READERS and not (program == "aptmark" and arguments[:1] == ["showauto"]):
            # apt-mark, dpkg, a real build: the state is no longer the translated one.
            scenario.unknown = scenario.unknown or f"untranslated command: {program}"
        raise Unsupported(f"not a resolver request: {program}")
    words, loose = _split(arguments)
    real_change = (
        not any(_simulates(word) for word in loose)
        and check not in {"testfailureequal", "testfailure"}
        and words[:1] != []
        and words[0] not in _READ_ONLY
    )
    if program == "apt" and words[:1] == ["upgrade"] and "--without-new-pkgs" not in loose:
        # apt's upgrade is apt-get's with --with-new-pkgs (apt(8)).
        arguments = [*arguments, "--with-new-pkgs"]
    try:
        return _step_case(where, check, output, arguments, command, scenario, real_change)
    finally:
        if real_change:
            # Whatever the step is, the steps after it see the state it made.
            scenario.unknown = scenario.unknown or "real run: apt-get without -s"


def _step_case(
    where: str,
    check: str,
    output: str,
    arguments: list[str],
    command: Command,
    scenario: Scenario,
    real_change: bool,
) -> dict[str, Any]:
    known = {p["name"] for _, p in scenario.archive} | {p["name"] for p in scenario.installed}
    request, _ = _request(arguments, known)
    if any("$" in w or "`" in w for w in command.words):
        raise Unsupported("shell expansion: in the step")
    if scenario.unknown:
        raise Unsupported(f"state not translated: {scenario.unknown}")
    if scenario.problems:
        raise Unsupported(scenario.problems[0])
    if real_change:
        raise Unsupported("real run: apt-get without -s changes the state")
    expect = _expectation(check, output)
    case: dict[str, Any] = {
        "name": where,
        "packages": _archive(scenario),
        "installed": list(scenario.installed),
        "request": request,
        "expect": expect,
    }
    if not case["installed"]:
        del case["installed"]
    return case


def _archive(scenario: Scenario) -> list[dict[str, Any]]:
    """The archive's packages, each once however many releases have it."""
    unique: list[dict[str, Any]] = []
    for _, package in scenario.archive:
        if package not in unique:
            unique.append(package)
    return unique


def _request(arguments: list[str], known: set[str]) -> tuple[str, bool]:
    """The apt-get command line of a step, and whether it simulates."""
    words, loose = _split(arguments)
    if not words:
        raise Unsupported("not a resolver request: no apt-get command")
    command, *names = words
    program = "apt-get"
    options: list[str] = []
    if command in _UPGRADES:
        new_packages = "--with-new-pkgs" in loose and "--without-new-pkgs" not in loose
        if command == "upgrade" and new_packages:
            program = "apt"  # apt-get upgrade --with-new-pkgs is apt's upgrade (apt(8))
        loose = [w for w in loose if w not in {"--with-new-pkgs", "--without-new-pkgs"}]
    elif command not in _REQUESTS:
        raise Unsupported(f"not a resolver request: apt-get {command}")
    simulated = False
    for word in loose:
        if _simulates(word):
            simulated = True
        else:
            options += _option(word)
    names = _check_names(command, names, known)
    names = [_debian(n.partition("=")[0]) + n[len(n.partition("=")[0]) :] for n in names]
    return " ".join([program, command, *options, *names]), simulated


def _simulates(option: str) -> bool:
    return option in _SIMULATE or re.fullmatch(r"-[qsyV]*s[qsyV]*(=\d)?", option) is not None


def _split(arguments: list[str]) -> tuple[list[str], list[str]]:
    """The words of an apt-get command line, and its options (each with its value)."""
    words: list[str] = []
    loose: list[str] = []
    iterator = iter(arguments)
    for word in iterator:
        if word == "-so":
            loose += ["-s", f"-o {next(iterator, '')}"]
        elif word in {"-o", "-t", "-c", "--solver", "--target-release", "--default-release"}:
            loose.append(f"{word} {next(iterator, '')}")
        elif word.startswith("-"):
            loose.append(word)
        else:
            words.append(word)
    return words, loose


def _option(word: str) -> list[str]:
    """What an option of the step is in the translated request (nothing, when it changes
    only what apt-get prints)."""
    if word in _QUIET | _DEFAULTS | _STOPPING or re.fullmatch(r"-q+(=?\d)?", word):
        return []
    if word in {"--solver apt", "--solver internal"}:
        return []  # apt-get's own solver, its default
    if word.startswith("-o "):
        option = word[3:]
        if option.lower().startswith(_PRINTING):
            return []
        if option in {"APT::Install-Recommends=0", "APT::Install-Recommends=false"}:
            return ["--no-install-recommends"]
        raise Unsupported(f"option not modelled: -o {option}")
    if word.startswith(("-t ", "--target-release", "--default-release")) or word == "-st":
        raise Unsupported("needs pinning: target release")
    if word in _KEPT_OPTIONS:
        return [word]
    raise Unsupported(f"option not modelled: {word}")


def _check_names(command: str, names: list[str], known: set[str]) -> list[str]:
    """The names of the request, without the ``+`` (install) or ``-`` (remove) modifier apt
    strips from a name that is no package's."""
    checked = []
    for word in names:
        if "/" in word:
            raise Unsupported("needs pinning: NAME/RELEASE")
        if ":" in word.partition("=")[0]:
            raise Unsupported(f"multi-arch: {word}")
        name = word
        if word.endswith(("+", "-")) and _debian(word) not in known:
            if (word[-1] == "+") != (command == "install"):
                raise Unsupported(f"install and remove on one command line: {word}")
            name = word[:-1]
        if "*" in name or "?" in name or "^" in name or name.startswith("~"):
            raise Unsupported(f"package pattern not modelled: {name}")
        checked.append(name)
    if command in _REQUESTS and not names:
        raise Unsupported(f"not a resolver request: apt-get {command} without packages")
    return checked


def _expectation(check: str, output: str) -> dict[str, Any]:
    """What the step states: failure, or the transaction of the ``Inst``/``Remv`` lines (or,
    where apt-get stops before acting, of its lists of packages)."""
    stops = _STOPS.search(output)
    if check in {"testfailure", "testfailureequal", "testfailuremsg"} and stops is None:
        if check != "testfailure" and not any(f in output for f in _RESOLUTION_FAILURES):
            raise Unsupported("fails for another reason: not a resolution failure")
        return {"ok": False}
    if stops is not None:
        # --trivial-only, --assume-no or the prompt: apt-get resolved, listed the
        # transaction and stopped; the lists name the packages, without versions.
        return _listed(output)
    if check != "testsuccessequal":
        raise Unsupported("transaction not stated: no expected output")
    if "E: " in output and "E: " in output.splitlines()[-1]:
        raise Unsupported("fails for another reason: not a resolution failure")
    install: list[str] = []
    upgrade: list[str] = []
    remove: list[str] = []
    for line in output.splitlines():
        match = _ACTION.match(line)
        if match is None:
            continue
        name = _debian(match["name"])
        if match["action"] != "Inst":
            remove.append(f"{name}={match['old']}")
        elif match["old"]:
            upgrade.append(f"{name}={match['new']}")
        else:
            install.append(f"{name}={match['new']}")
    if not (install or upgrade or remove) and "0 upgraded, 0 newly installed" not in output:
        raise Unsupported("transaction not stated: no Inst/Remv lines")
    # All three, so that a resolution doing more than the step states differs from it.
    return {"install": install, "upgrade": upgrade, "remove": remove}


def _listed(output: str) -> dict[str, Any]:
    """The transaction of apt-get's package lists: ``The following NEW packages will be
    installed:`` and the lines indented under it, and so on."""
    expect: dict[str, Any] = {"install": [], "upgrade": [], "remove": []}
    key = None
    for line in output.splitlines():
        if line.startswith("  ") and key is not None:
            for word in line.split():
                if word.startswith("(") or word.endswith(")"):
                    continue  # a version, with -V
                name = word.rstrip("*")
                if ":" in name:
                    raise Unsupported(f"multi-arch: {name}")
                expect[key].append(_debian(name))
            continue
        key = next((k for heading, k in _LISTS.items() if line.startswith(heading)), None)
    return expect
