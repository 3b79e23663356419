"""Running assertion files against a release: one result per assertion, repository and
package."""

from __future__ import annotations

import fnmatch
import functools
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from repogen.channel import Channel
from repogen.check.declarations import Assertion, AssertionFile, Expectation, InstalledSetup
from repogen.families import driver
from repogen.model import ReleaseModel, Repository, load_release
from repogen.model.errors import ModelError, ModelErrors, ModelPath
from repogen.model.load import declarations, inside_model_tree, model_tree
from repogen.model.source import Document, load_document
from repogen.model.templates import TemplateError, fill, release_variables
from repogen.resolve import Engine, in_process, resolver
from repogen.resolve.outcome import Outcome, OutcomeFlavor
from repogen.resolve.request import RequestError, parse_request
from repogen.resolve.result import Resolution
from repogen.resolve.session import SessionError, Step, installed_along, out_of_time
from repogen.resolve.universe import InstalledState, Universe, universe_for
from repogen.runtime.collector import collector_paused
from repogen.runtime.workers import Turns, cpus, forked


@dataclass(frozen=True)
class CheckResult:
    """One assertion on one repository (and package, for foreach_package)."""

    assertion: str
    description: str
    source: str
    target: str
    arch: str
    request: str
    flavor: OutcomeFlavor
    failures: tuple[str, ...]
    resolution: Resolution = field(compare=False)
    #: What the request was resolved against.
    universe: Universe = field(compare=False)
    #: The point of the channel it ran at: the newest release's name then.
    point: str = ""

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def outcome(self) -> Outcome:
        return self.universe.outcome(self.request, self.resolution)


@dataclass(frozen=True)
class Question:
    """What one request asks of an engine at one point: the same question has the same
    answer, however many assertions ask it (the bundled channel's 4,760 checks ask 2,332)."""

    #: Where the repository is in the release's repositories.
    repository: int
    #: What the installed state it starts from depends on (:func:`_installed_from`).
    installed: tuple[str, ...]
    hotfixes: bool
    request: str


@dataclass(frozen=True)
class Share:
    """The repositories of a release one checker checks: those whose index, modulo *of*, is
    *part* (a channel check shares each point out between processes)."""

    part: int = 0
    of: int = 1

    def takes(self, index: int) -> bool:
        return index % self.of == self.part


#: A checker's results, assertion by assertion (every assertion of every file, in order,
#: whether it ran or not), each with the index of the repository it ran on.
Grouped = list[list[tuple[int, "CheckResult"]]]


def assertion_files(given: Sequence[Path], named: Sequence[Path] = ()) -> list[Path]:
    """The files to run, directories expanded: those *given*, else those the model *named*
    (:attr:`ReleaseModel.assertions`).  The tool has no assertions of its own: an empty list
    is for the caller to refuse."""
    chosen = list(given) or list(named)
    files: list[Path] = []
    for path in chosen:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return files


def why_chain(resolution: Resolution, name: str) -> str:
    """``a ← b (Depends: a) ← c (requested)``: how *name* came into the transaction."""
    steps = [name]
    seen = {name}
    while name in resolution.why:
        parent, *relation = resolution.why[name]
        if parent == "requested":
            steps[-1] += " (requested)"
            break
        steps.append(f"{parent} ({'; '.join(relation)})" if relation else parent)
        if parent in seen:
            break
        seen.add(parent)
        name = parent
    return " ← ".join(steps)


def evaluate(
    expect: Expectation, variables: dict[str, str], universe: Universe, resolution: Resolution
) -> list[str]:
    """Every way *resolution* differs from *expect*."""
    if resolution.ok != expect.ok:
        if expect.ok:
            return ["the request fails: " + " ".join(p.strip() for p in resolution.problems)]
        return ["the request succeeds, but it must fail"]
    if not resolution.ok:
        return []
    failures = []
    installed = sorted(resolution.installed_names)
    removed = sorted(r.name for r in resolution.remove)
    flavor = universe.flavor(resolution)
    if expect.flavor is not None:
        allowed = {fill(f, variables) for f in expect.flavor}
        if flavor not in allowed:
            providers = [p.name for p in universe.kernel_module_packages(resolution)]
            detail = "; ".join(why_chain(resolution, p) for p in providers)
            failures.append(
                f"kernel modules: {flavor}, expected {' or '.join(sorted(allowed))}"
                + (f"; {detail}" if detail else "")
            )
    for pattern in (fill(p, variables) for p in expect.includes):
        if not any(fnmatch.fnmatchcase(name, pattern) for name in installed):
            failures.append(f"nothing matching {pattern!r} is installed")
    for pattern in (fill(p, variables) for p in expect.excludes):
        failures += [
            f"{name} is installed: {why_chain(resolution, name)}"
            for name in installed
            if fnmatch.fnmatchcase(name, pattern)
        ]
    for pattern in (fill(p, variables) for p in expect.removes):
        if not any(fnmatch.fnmatchcase(name, pattern) for name in removed):
            failures.append(f"nothing matching {pattern!r} is removed")
    if expect.modules is not None:
        wanted = sorted(fill(m, variables) for m in expect.modules)
        if sorted(resolution.modules) != wanted:
            failures.append(
                f"enables {', '.join(resolution.modules) or 'no module stream'}, "
                f"expected {', '.join(wanted) or 'none'}"
            )
    return failures


class Checker:
    """Runs assertion files against one release with one engine."""

    def __init__(
        self,
        release: ReleaseModel,
        engine: Engine = in_process,
        setup: Engine = in_process,
        root: Path | None = None,
        channel: Channel | None = None,
        *,
        every_assertion_applies: bool = False,
        read: dict[Path, tuple[Document, AssertionFile]] | None = None,
        share: Share = Share(),
    ) -> None:
        self.release = release
        #: The repositories of the release it checks (all, unless a channel check shares a
        #: point out between processes).
        self.share = share
        #: The channel *release* is a point of, when checking one: an assertion's ``at`` and
        #: its installed steps' ``at`` name its points.
        self.channel = channel
        #: Refuse an assertion that selects no repository (`check`); a diff resolves the
        #: assertions of the targets it compares, a subset.
        self.every_assertion_applies = every_assertion_applies
        #: The tree an assertion's ``installed: {release: FILE}`` may name a model in, as
        #: for the files of the checked model (:func:`~repogen.model.load.model_tree`).
        self.root = model_tree(Path(release.source), root)
        self.engine = engine
        #: Who resolves the requests that set up installed states (whatever the engine, a
        #: state is what repogen's resolver makes of them).
        self.setup = setup
        self.variables = release_variables(release.release)
        #: Installed states set up, by each step's repository id(), requests and holds:
        #: assertions share them.
        self._states: dict[
            tuple[tuple[int, tuple[str, ...], frozenset[str]], ...], InstalledState
        ] = {}
        #: The engine's answers so far: each question is asked once.
        self.answers: dict[Question, Resolution] = {}
        #: The universes asked about, by the repository's id(), the state's id() (each
        #: universe keeps its state) and hotfixes: the requests on one, those setting up
        #: installed states included, share what its resolver makes of it.
        self._universes: dict[tuple[int, int, bool], Universe] = {}
        #: The assertion files read so far: checkers of a channel's points share them.
        self.read = {} if read is None else read

    def run(self, files: Sequence[Path]) -> list[CheckResult]:
        return [result for group in self.grouped(files) for _, result in group]

    def grouped(self, files: Sequence[Path]) -> Grouped:
        """The results of *files*, assertion by assertion (:data:`Grouped`)."""
        results: Grouped = []
        for file in files:
            document, parsed = self.assertions_in(file)
            if self.every_assertion_applies:
                self.check_targets(parsed, document)
            for index, assertion in enumerate(parsed.assertions):
                mark, _ = document.locate(("assertions", index))
                self.check_installed_release(assertion, file, document, index)
                self.check_point(assertion, document, index)
                try:
                    checked = self._checked(assertion, file, f"{mark.file}:{mark.line}")
                    point = self.release.release.name
                    results.append([(i, replace(r, point=point)) for i, r in checked])
                except TemplateError as exc:
                    raise ModelErrors([ModelError(mark, ("assertions", index), str(exc))]) from exc
        self._forget_what_resolvers_made()
        return results

    def _forget_what_resolvers_made(self) -> None:
        """Drop the pools and caches the requests on each universe shared: results keep
        their universes, and those are not needed any more."""
        for universe in self._universes.values():
            universe.memo.clear()

    def assertions_in(self, file: Path) -> tuple[Document, AssertionFile]:
        """*file* read, and its assertions, the first time it is asked for."""
        if file not in self.read:
            document = load_document(file)
            self.read[file] = (document, declarations(document, AssertionFile))
        return self.read[file]

    def check_point(self, assertion: Assertion, document: Document, index: int) -> None:
        """Refuse an ``at`` or a step's ``at`` that names no point of the channel checked (the
        first would never run), a step given both a release file and a point, and a history
        that goes against time (:func:`~repogen.resolve.session.out_of_time`)."""
        named: list[tuple[ModelPath, str | None]] = [(("assertions", index, "at"), assertion.at)]
        for number, step in enumerate(assertion.history):
            where = _step_path(document, index, number)
            if step.at is not None and step.release is not None:
                message = "an installed state names a release file or a point, not both"
                raise ModelErrors([document.error((*where, "at"), message)])
            named.append(((*where, "at"), step.at))
        points = self.channel.points if self.channel else ()
        if len(points) < 2:
            return
        for path, point in named:
            if point is not None and point not in points:
                message = f"no release {point!r} in the channel; it has {', '.join(points)}"
                raise ModelErrors([document.error(path, message)])
        steps = [step.at for step in assertion.history if step.release is None]
        wrong = out_of_time(points, steps, assertion.at)
        if wrong is not None:
            number, message = wrong
            numbers = [n for n, step in enumerate(assertion.history) if step.release is None]
            where = _step_path(document, index, numbers[number])
            raise ModelErrors([document.error((*where, "at"), message)])

    def check_targets(self, parsed: AssertionFile, document: Document) -> None:
        """Refuse assertions whose ``targets`` select no repository of the release: one that
        checks nothing would pass, and a CI job reading a repository that lost a target must
        not go green."""
        errors = [
            document.error(("assertions", index, "targets"), self.no_target(assertion))
            for index, assertion in enumerate(parsed.assertions)
            if not any(assertion.targets.selects(r) for r in self.release.repositories)
        ]
        if errors:
            raise ModelErrors(errors)

    def no_target(self, assertion: Assertion) -> str:
        selector = assertion.targets.model_dump(mode="json", exclude_none=True)
        wanted = ", ".join(f"{key} {value}" for key, value in selector.items()) or "any"
        present = ", ".join(sorted({r.target_name for r in self.release.repositories}))
        return (
            f"assertion {assertion.id!r} ({wanted}) matches no target of "
            f"{self.release.source} (it has: {present or 'none'})"
        )

    def check_installed_release(
        self, assertion: Assertion, file: Path, document: Document, index: int
    ) -> None:
        """Refuse an installed step's release model outside the tree models may be read
        from (or repogen's bundled data): an assertion file from a pull request must not make
        repogen read any file."""
        for number, step in enumerate(assertion.history):
            if step.release is None:
                continue
            path = Path(os.path.normpath((file.parent / step.release).absolute()))
            if inside_model_tree(path, self.root):
                continue
            where = (*_step_path(document, index, number), "release")
            message = f"{step.release} is outside the model's directory {self.root}"
            raise ModelErrors([document.error(where, message)])

    def applies(self, assertion: Assertion) -> bool:
        """Whether *assertion* runs at the release checked (a point of a channel)."""
        release = self.release.release
        # `at` names a state of a channel's repositories: a release checked on its own (a
        # channel of one point) is not that state, even when it is the release named.
        points = self.channel.points if self.channel else ()
        if assertion.at is not None and (len(points) < 2 or assertion.at != release.name):
            return False
        # Before the newest point its history installed from, the machine cannot exist yet:
        # an assertion without `at` runs from that point on.
        history = [step.at for step in assertion.history if step.at in points]
        if history and points.index(history[-1]) > points.index(release.name):
            return False
        condition = assertion.when
        if condition is None:
            return True
        branch = int(release.driver.split(".")[0])
        return condition.default_flavor in (None, release.default_flavor) and (
            condition.branch is None or condition.branch.holds(branch)
        )

    def check(self, assertion: Assertion, file: Path, source: str) -> Iterator[CheckResult]:
        """The results of *assertion* (for a caller that asks assertion by assertion, such
        as a diff: what its requests shared is dropped after each)."""
        for _, result in self._checked(assertion, file, source):
            yield result
        self._forget_what_resolvers_made()

    def _checked(
        self, assertion: Assertion, file: Path, source: str
    ) -> Iterator[tuple[int, CheckResult]]:
        """The results of *assertion* on the repositories of this checker's share, each with
        the repository's index."""
        if not self.applies(assertion):
            return
        for index, repository in enumerate(self.release.repositories):
            if not self.share.takes(index) or not assertion.targets.selects(repository):
                continue
            packages = self.packages(assertion, repository)
            if not packages:
                # An assertion over no package would pass without checking anything.
                patterns = ", ".join(assertion.foreach_package or ())
                failure = f"foreach_package matches no package of this target: {patterns}"
                yield index, _failed(assertion, source, repository, "", failure)
            for package in packages:
                yield index, self.one(assertion, file, source, (index, repository), package)

    def packages(self, assertion: Assertion, repository: Repository) -> list[str | None]:
        """The packages a ``foreach_package`` assertion runs for (its patterns filled with
        the release's variables, such as ``cuda-{cuda_dash}``); one run without a package
        otherwise."""
        if assertion.foreach_package is None:
            return [None]
        patterns = [fill(pattern, self.variables) for pattern in assertion.foreach_package]
        if not patterns:
            return []
        # One expression for all the patterns, as fnmatchcase reads each: a repository has
        # thousands of names.
        matches = re.compile("|".join(map(fnmatch.translate, patterns))).match
        return [p.name for p in repository.packages if matches(p.name)]

    def one(
        self,
        assertion: Assertion,
        file: Path,
        source: str,
        place: tuple[int, Repository],
        package: str | None,
    ) -> CheckResult:
        """*assertion* on the repository at *place* (its index among the release's, and
        itself), for *package*."""
        index, repository = place
        variables = {
            **self.variables,
            "install": driver(repository.family).install_command,
            "package": package or "",
            "target": repository.target_name,
            "arch": repository.arch,
            "default_stream": next(
                (m.default_stream for m in repository.modules if m.default_stream), ""
            ),
        }
        text = fill(assertion.request, variables)
        installed = _installed_from(assertion, file, package)
        question = Question(index, installed, assertion.hotfixes, text)
        try:
            # A question answered was parsed (and its state set up) when first asked.
            request = None if question in self.answers else parse_request(text)
            state = self.installed_state(assertion, file, repository, variables)
        except (RequestError, SessionError, LookupError) as exc:
            return _failed(assertion, source, repository, text, str(exc))
        universe = self.universe(repository, state, assertion.hotfixes)
        if request is not None:
            self.answers[question] = self.engine(repository, universe, request)
        resolution = self.answers[question]
        failures = evaluate(assertion.expect, variables, universe, resolution)
        return _result(assertion, source, repository, text, failures, resolution, universe)

    def universe(
        self, repository: Repository, state: InstalledState, hotfixes: bool = False
    ) -> Universe:
        """The universe of *repository* from *state*, made once for this checker."""
        key = (id(repository), id(state), hotfixes)
        if key not in self._universes:
            self._universes[key] = universe_for(repository, state, hotfixes=hotfixes)
        return self._universes[key]

    def installed_state(
        self, assertion: Assertion, file: Path, repository: Repository, variables: dict[str, str]
    ) -> InstalledState:
        steps = [self._step(step, file, repository, variables) for step in assertion.history]
        key: tuple[tuple[int, tuple[str, ...], frozenset[str]], ...] = ()
        state = self._states.setdefault(key, InstalledState())
        for step in steps:
            # Each history, and each history it starts with, is made once for the assertions
            # that start from it (its repositories are kept by the release, the channel or
            # _load).
            key += ((id(step.repository), step.requests, step.held),)
            if key not in self._states:
                self._states[key] = installed_along([step], self.setup, state, self.universe)
            state = self._states[key]
        return state

    def _step(
        self, step: InstalledSetup, file: Path, repository: Repository, variables: dict[str, str]
    ) -> Step:
        """*step* of an installed state on *repository*'s target: its requests against the
        repository of its point or release file (default: *repository*)."""
        source = repository
        if step.at is not None:
            source = self._repository_at(step.at, repository)
        if step.release is not None:
            other = _load(file.parent / step.release, self.root)
            matches = [
                r
                for r in other.repositories_of(repository.target_name)
                if r.arch == repository.arch
            ]
            if not matches:
                raise LookupError(
                    f"{step.release} has no repository for "
                    f"{repository.target_name}/{repository.arch}"
                )
            source = matches[0]
        requests = tuple(fill(r, variables) for r in step.requests)
        return Step(source, requests, frozenset(fill(name, variables) for name in step.held))

    def _repository_at(self, point: str, repository: Repository) -> Repository:
        """*repository* as it was at *point* of the channel being checked."""
        if self.channel is None:
            raise LookupError(f"installed.at {point}: no channel is being checked")
        then = self.channel.at(point)  # an unknown point is a LookupError naming the known
        place = (repository.target_name, repository.arch)
        matches = [r for r in then.repositories if (r.target_name, r.arch) == place]
        if not matches:
            raise LookupError(f"{point} has no repository for {'/'.join(place)}")
        return matches[0]


def _step_path(document: Document, index: int, step: int) -> ModelPath:
    """Where step *step* of assertion *index*'s installed state is written: an item of its
    list, or the mapping itself when it is one step."""
    listed = ("assertions", index, "installed", step)
    return listed if listed in document.written else listed[:-1]


def check_channel(
    channel: Channel,
    files: Sequence[Path],
    engine: Engine = in_process,
    root: Path | None = None,
    points: Sequence[str] = (),
    *,
    every_assertion_applies: bool = False,
) -> list[CheckResult]:
    """Run *files* at each of *points* of *channel* (default: every point), oldest first:
    each assertion where its ``when`` and ``at`` hold, on the repositories as they were when
    that point's release was the newest.  *every_assertion_applies*: refuse an assertion
    that selects no repository at the last of those points (a target may be newer than the
    first).

    With repogen's resolvers, forked workers and this process each take the next point to
    check when free (:mod:`repogen.runtime.workers`), or the next share of one, by repository
    (:class:`Share`), when there are fewer points than processes; the results, and the first
    error, are those of checking each point in turn."""
    chosen = list(points or channel.points)
    # Each process reads each file once, for all the points it checks.
    read: dict[Path, tuple[Document, AssertionFile]] = {}

    def checker(point: str, share: Share = Share()) -> Checker:
        last = every_assertion_applies and point == chosen[-1]
        return Checker(
            channel.at(point),
            engine,
            # The real clients set up the installed states too: the whole history of a
            # machine is theirs, not repogen's answer given to them.
            setup=engine,
            root=root,
            channel=channel,
            every_assertion_applies=last,
            read=read,
            share=share,
        )

    # The real clients' sandboxes belong to this process: only repogen's resolvers fork.
    workers = cpus() - 1 if engine is in_process else 0
    # A point is shared out only when there are fewer points than processes (a release
    # checked on its own): each share repeats some of the point's work.  The largest points
    # first (a point's requests take time with its repositories' size), so that the last
    # shares taken, when a process is free, are small.
    parts = -(-(workers + 1) // len(chosen))
    sizes = {p: sum(len(r.packages) for r in channel.at(p).repositories) for p in chosen}
    order = [
        (point, Share(part, parts))
        for point in sorted(chosen, key=lambda p: -sizes[p])
        for part in range(parts)
    ]
    if workers:
        # Imported once, here, rather than by each process: workers start from this one.
        for family in dict.fromkeys(r.family for p in chosen for r in channel.at(p).repositories):
            resolver(family)
    results: list[CheckResult] = []
    with ExitStack() as stack:
        # The resolvers make many short-lived objects, and the collector's passes walk the
        # loaded channel each time: paused, the bundled channel's check takes 14 % less.
        stack.enter_context(collector_paused())
        turns = Turns(len(order))
        stack.callback(turns.close)
        taking = functools.partial(_in_turn, checker, (order[n] for n in turns), files)
        # This process takes a share too: no more workers than the shares besides its own.
        running = [stack.enter_context(forked(taking)) for _ in range(min(workers, len(order) - 1))]
        checked = taking()
        for worker in running:
            checked.update(worker.result())
        for point in chosen:
            shares = [checked.get((point, Share(part, parts))) for part in range(parts)]
            # A share missing failed (or came after one that did, in the process that took
            # it): the point checked again here, whole, raises the same error, unless a
            # point before it does.
            complete = [share for share in shares if share is not None]
            if len(complete) == parts:
                results += _merged(complete)
            else:
                results += checker(point).run(files)
    return results


def _in_turn(
    checker: Callable[[str, Share], Checker],
    turns: Iterable[tuple[str, Share]],
    files: Sequence[Path],
) -> dict[tuple[str, Share], Grouped]:
    """The results of each share of a point in *turns* (this process's part of a channel
    check), up to the first whose check raises."""
    checked: dict[tuple[str, Share], Grouped] = {}
    for point, share in turns:
        try:
            checked[(point, share)] = checker(point, share).grouped(files)
        except Exception:  # the caller checks this point again, in its turn
            break
    return checked


def _merged(shares: Sequence[Grouped]) -> list[CheckResult]:
    """The results of a point's shares as one checker of the whole point gives them:
    assertion by assertion, and in each, repository by repository."""
    return [
        result
        for groups in zip(*shares, strict=True)
        # sorted() keeps the order of one repository's results.
        for _, result in sorted(itertools.chain.from_iterable(groups), key=lambda r: r[0])
    ]


def _result(
    assertion: Assertion,
    source: str,
    repository: Repository,
    request: str,
    failures: list[str],
    resolution: Resolution,
    universe: Universe,
) -> CheckResult:
    return CheckResult(
        assertion.id,
        assertion.description,
        source,
        repository.target_name,
        repository.arch,
        request,
        universe.flavor(resolution),
        tuple(failures),
        resolution,
        universe,
    )


def _installed_from(assertion: Assertion, file: Path, package: str | None) -> tuple[str, ...]:
    """What the installed state *assertion* starts from depends on, for a :class:`Question`
    on one repository: its declaration, the file its release paths are relative to, and the
    package its templates may name (the other variables are the repository's)."""
    if assertion.installed is None:
        return ()
    return (repr(assertion.installed), str(file), package or "")


def _failed(
    assertion: Assertion, source: str, repository: Repository, request: str, failure: str
) -> CheckResult:
    """The result of a request that could not be run (its failure says why)."""
    return _result(
        assertion,
        source,
        repository,
        request,
        [failure],
        Resolution(ok=False),
        universe_for(repository),
    )


@cache
def _load(path: Path, root: Path) -> ReleaseModel:
    return load_release(path, root)
