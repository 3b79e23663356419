"""Publishing rpm-md repositories: what the rpm and suse publishers share.

Per target, every architecture's repository goes through the same steps: render the specs
into ``SPECS/``, build every spec of the target with rpmbuild (one thread pool for all of
them), index the packages (built, given with ``--add-packages``, or — without package files —
records from the model) with createrepo_c, add the family's extra records (dnf modules), sign
``repomd.xml``.  A family subclasses :class:`RpmFamilyPublisher` for its conventions.
"""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import ClassVar

import createrepo_c as cr

from repogen.families.rpm import artifacts as rpmartifacts
from repogen.families.rpm import rpmmd
from repogen.families.rpm.artifacts import RealPackage
from repogen.families.rpm.chunks import PublishedChunks, read_published
from repogen.families.rpm.rpmbuild import RpmbuildJob, run_rpmbuild
from repogen.families.rpm.rpmmd import (
    REPODATA,
    Record,
    file_name,
    file_record,
    model_record,
    published_records,
    same_package,
    sign,
    write_repodata,
)
from repogen.families.rpm.rpmsign import sign_packages
from repogen.families.rpm.spec import (
    Spec,
    SpecConventions,
    SpecPackage,
    render,
    spec_package,
    spec_template,
    specs,
)
from repogen.families.rpm.versions import name_problem, nevra, split_evr
from repogen.model import Family, ReleaseModel, Repository
from repogen.model.declarations import Release
from repogen.publish import gpg
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry, Progress
from repogen.publish.clients import RpmRepoFile, repo_id, url_join
from repogen.publish.tree import check_package_files
from repogen.runtime.workers import forked

SPECS = "SPECS"
#: The armored public key beside ``repomd.xml``, where zypper looks for it.
REPOMD_KEY = "repomd.xml.key"


@dataclass(frozen=True)
class _Plan:
    """One repository between rendering and indexing."""

    repository: Repository
    directory: Path
    specs: tuple[Spec, ...]
    real: tuple[RealPackage, ...]
    built: Path
    license: str
    release: Release
    #: The chunk each package file is indexed in (:mod:`~repogen.families.rpm.chunks`): the
    #: rank of the release that first published it, oldest first; by file name.
    ranks: Mapping[str, int]
    #: The chunk of the release's own packages, and of package files the model does not name.
    newest: int

    @property
    def label(self) -> str:
        return _label(self.repository)

    def chunks(self, records: Iterable[cr.Package]) -> list[list[cr.Package]]:
        """*records* by chunk, oldest first."""
        by_rank: dict[int, list[cr.Package]] = {}
        for record in records:
            rank = self.ranks.get(PurePosixPath(record.location_href).name, self.newest)
            by_rank.setdefault(rank, []).append(record)
        return [by_rank[rank] for rank in sorted(by_rank)]


def _described(
    packages: Mapping[tuple[str, str], SpecPackage], real: RealPackage
) -> tuple[str, str] | None:
    """The model package a real one stands for: the one of its name, or, when the model has
    several versions of it (a repository holding several releases), the one of its version."""
    named = [key for key in packages if key[0] == real.record.name]
    if len(named) <= 1:
        return named[0] if named else None
    own = rpmmd.nevra(real.record)
    return next((key for key in named if nevra(*key, packages[key].arch) == own), None)


def _label(repository: Repository) -> str:
    """How progress and errors name a repository: ``rhel9/x86_64``."""
    return f"{repository.target_name}/{repository.arch}"


def _with_published(
    plan: _Plan,
    chunks: Sequence[Sequence[cr.Package]],
    published_at: Path,
    withdrawn: Collection[str],
) -> tuple[list[list[cr.Package]], PublishedChunks | None]:
    """The chunks to index after those of the packages published at *published_at*, which
    stay as they are, and the published chunks to append them to.  A package file already
    there stays: the one just built for it is removed, after a check that it is the same
    package (a published package never changes).

    Those at *withdrawn* locations leave the index, and files this cannot append to (written
    otherwise) are written again: then the chunks returned start with the published ones,
    from their records, and there is nothing to append to."""
    published = read_published(published_at)
    if published is None:
        return [list(chunk) for chunk in chunks], None
    appending = published.appendable and not any(h in published.places for h in withdrawn)
    records = (
        {}
        if appending
        else {
            href: record
            for href, record in published_records(published_at).items()
            if href not in withdrawn
        }
    )
    kept = published.places.keys() if appending else records.keys()
    check_package_files(published_at, kept, plan.label)
    again = [record for chunk in chunks for record in chunk if record.location_href in kept]
    known = published.records([r.location_href for r in again]) if appending else records
    for record in again:
        if not same_package(known[record.location_href], record):
            raise BuildError(
                f"{plan.label}: {record.location_href} is already published with other "
                "content; a published package never changes: give it a new release"
            )
        (plan.directory / record.location_href).unlink(missing_ok=True)
    new = [[r for r in chunk if r.location_href not in kept] for chunk in chunks]
    if appending:
        return [chunk for chunk in new if chunk], published
    # Each published package in its chunk; one that createrepo_c reads but the light read
    # did not find (files written by other tools) after them.
    rank = {href: number for number, chunk in enumerate(published.chunks) for href in chunk}
    old: list[list[cr.Package]] = [[] for _ in range(len(published.chunks) + 1)]
    for href, record in records.items():
        old[rank.get(href, len(published.chunks))].append(record)
    return [chunk for chunk in [*old, *new] if chunk], None


class RpmFamilyPublisher:
    """Publishes the rpm-md repositories of one target, one per architecture."""

    family: ClassVar[Family]
    conventions: ClassVar[SpecConventions] = SpecConventions()

    def package_directory(self, arch: str) -> str:
        """Where a package of architecture *arch* lies, relative to the repository."""
        return "Packages"

    def extra_records(
        self, release: Release, repository: Repository, options: BuildOptions, license: str
    ) -> Sequence[Record]:
        """Records beyond primary, filelists and other (*license*: the model's)."""
        return ()

    def publish(
        self,
        release: ReleaseModel,
        repositories: Sequence[Repository],
        root: Path,
        final: Path,
        options: BuildOptions,
        progress: Progress,
        existing: Path | None = None,
        withdrawn: Collection[PurePosixPath] = (),
    ) -> list[ManifestEntry]:
        target = repositories[0].target_name
        real = rpmartifacts.scan(options.add_packages, target, options.source_date_epoch)
        with tempfile.TemporaryDirectory(prefix="repogen-rpm-") as scratch:
            plans = [
                self._render(release, r, root / r.arch, real, Path(scratch) / r.arch, progress)
                for r in repositories
            ]
            if not options.packages:
                # Nothing reads the specs: a worker renders and writes them meanwhile, with
                # the template compiled here once for every build of this process.
                spec_template()
                with forked(functools.partial(self._write_specs, plans)) as writing:
                    entries = [
                        self._index(plan, final, options, progress, existing, withdrawn)
                        for plan in plans
                    ]
                    writing.result()
                    return entries
            self._write_specs(plans)
            jobs = [
                RpmbuildJob(
                    plan.directory / SPECS / spec.file_name,
                    plan.repository.package_arch,
                    plan.built,
                )
                for plan in plans
                for spec in plan.specs
            ]
            progress(f"{target}: building {len(jobs)} spec(s) with rpmbuild")
            run_rpmbuild(jobs, Path(scratch) / "rpmbuild", options.source_date_epoch)
            return [
                self._index(plan, final, options, progress, existing, withdrawn) for plan in plans
            ]

    def index_directories(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        return [PurePosixPath(r.arch, REPODATA) for r in repositories]

    def package_files(self, repositories: Sequence[Repository]) -> list[PurePosixPath]:
        files = set()
        for repository in repositories:
            for package in repository.packages:
                _, version, release = split_evr(package.version)
                name = file_name(package.name, version, release or "", package.arch)
                files.add(
                    PurePosixPath(repository.arch, self.package_directory(package.arch), name)
                )
        return sorted(files)

    def _render(
        self,
        release: ReleaseModel,
        repository: Repository,
        directory: Path,
        real: Sequence[RealPackage],
        built: Path,
        progress: Progress,
    ) -> _Plan:
        """Check the real packages against the model, make the specs of the others."""
        progress(f"{_label(repository)}: rendering specs")
        given = rpmartifacts.for_arch(real, repository.package_arch)
        own = {(p.name, p.version): p for p in repository.packages}
        packages = {
            key: spec_package(p, self.conventions, release.license) for key, p in own.items()
        }
        order = {name: rank for rank, name in enumerate(release.releases)}
        newest = order.get(release.release.name, len(order))

        def first_published(key: tuple[str, str]) -> str:
            return own[key].release or release.release.name

        ranks = {}
        for package in given:
            described = _described(packages, package)
            if described is not None:
                rpmartifacts.check(package, packages.pop(described))
                record = package.record
                name = file_name(record.name, record.version, record.release, record.arch)
                ranks[name] = order.get(first_published(described), newest)
        # Each release's packages from its own specs: a repository holding several releases
        # then publishes each package as a build of its release alone did.
        by_release: dict[str, list[SpecPackage]] = {}
        for key, planned in packages.items():
            published = first_published(key)
            by_release.setdefault(published, []).append(planned)
            _, version, package_release = planned.evr
            name = file_name(planned.name, version, package_release, planned.arch)
            ranks[name] = order.get(published, newest)
        rendered = [
            spec
            for name, group in by_release.items()
            for spec in specs(name, release.license, group)
        ]
        return _Plan(
            repository,
            directory,
            tuple(rendered),
            tuple(given),
            built,
            release.license,
            release.release,
            ranks,
            newest,
        )

    def _write_specs(self, plans: Sequence[_Plan]) -> None:
        """Render every spec of *plans* into its repository's ``SPECS/``."""
        for plan in plans:
            (plan.directory / SPECS).mkdir(parents=True)
            for spec in plan.specs:
                (plan.directory / SPECS / spec.file_name).write_text(render(spec))

    def _locate(self, plan: _Plan, record: cr.Package) -> cr.Package:
        """Set the record's place in the repository, refusing one that would leave it."""
        name = file_name(record.name, record.version, record.release, record.arch)
        location = PurePosixPath(self.package_directory(record.arch), name)
        problem = name_problem(record.name)
        if problem is not None or len(location.parts) != 2 or ".." in location.parts:
            raise BuildError(f"{plan.label}: {str(location)!r}: not a package file name")
        record.location_href = str(location)
        return record

    def _records(self, plan: _Plan, options: BuildOptions) -> list[cr.Package]:
        """Index the packages, moving built and copying real package files into place."""
        real = [self._locate(plan, package.record.copy()) for package in plan.real]
        if not options.packages:
            return real + [
                model_record(
                    package,
                    spec.source_rpm,
                    self.package_directory(package.arch),
                    options.source_date_epoch,
                )
                for spec in plan.specs
                for package in spec.packages
            ]
        moves = [(package.path, record) for package, record in zip(plan.real, real, strict=True)]
        for path in sorted(plan.built.glob("*.rpm")):
            record = file_record(path, path.name, options.source_date_epoch)
            moves.append((path, self._locate(plan, record)))
        for path, record in moves:
            target = plan.directory / record.location_href
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.parent == plan.built:
                # The scratch directory may be on another file system than the output.
                shutil.move(path, target)
            else:
                shutil.copyfile(path, target)
        if options.sign_key is None:
            return [record for _, record in moves]
        # Signing adds to the header: the records are read again from the signed files.
        placed = [plan.directory / record.location_href for _, record in moves]
        sign_packages(
            placed,
            options.sign_key,
            options.gpg_home,
            plan.built.with_name(f"{plan.built.name}-sign"),
        )
        return [
            file_record(path, record.location_href, options.source_date_epoch)
            for path, (_, record) in zip(placed, moves, strict=True)
        ]

    def _index(
        self,
        plan: _Plan,
        final: Path,
        options: BuildOptions,
        progress: Progress,
        existing: Path | None,
        withdrawn: Collection[PurePosixPath],
    ) -> ManifestEntry:
        chunks = plan.chunks(self._records(plan, options))
        published = None
        if existing is not None:
            arch = plan.repository.arch
            leaving = {
                path.relative_to(arch).as_posix() for path in withdrawn if path.parts[0] == arch
            }
            chunks, published = _with_published(plan, chunks, existing / arch, leaving)
            if options.packages:
                self._drop_kept_specs(plan)
        extra = self.extra_records(plan.release, plan.repository, options, plan.license)
        count = sum(map(len, chunks)) + (published.count if published else 0)
        progress(f"{plan.label}: writing repodata for {count} packages")
        repomd = write_repodata(plan.directory, chunks, extra, options.source_date_epoch, published)
        if options.sign_key is not None:
            progress(f"{plan.label}: signing repomd.xml")
            sign(repomd, options.sign_key, options.gpg_home)
            key = gpg.armored_public_key(options.sign_key, options.gpg_home)
            repomd.with_name(REPOMD_KEY).write_bytes(key)
        repository = plan.repository
        arch, target, family = repository.arch, repository.target_name, self.family.value
        repo_file = self._repo_file(plan, final, options)
        path = plan.directory / f"{repo_file.identifier}.repo"
        path.write_text(repo_file.render())
        return ManifestEntry(
            target=target,
            family=family,
            arch=arch,
            path=arch,
            client=(final / arch).as_uri(),
            repo_file=f"{arch}/{path.name}",
        )

    def _drop_kept_specs(self, plan: _Plan) -> None:
        """Remove the specs none of whose packages is new: each is published already, built
        from the spec of the release that first published it, which the tree keeps."""
        for spec in plan.specs:
            built = [
                plan.directory
                / self.package_directory(p.arch)
                / file_name(p.name, p.evr[1], p.evr[2], p.arch)
                for p in spec.packages
            ]
            if not any(path.is_file() for path in built):
                (plan.directory / SPECS / spec.file_name).unlink(missing_ok=True)

    def _repo_file(self, plan: _Plan, final: Path, options: BuildOptions) -> RpmRepoFile:
        """The ``.repo`` file of *plan*'s repository: at ``--base-url`` (the build's layout,
        ``<family>/<target>/<arch>``, under it), else at the output's own ``file://`` URL."""
        repository = plan.repository
        arch, target, family = repository.arch, repository.target_name, self.family.value
        if options.base_url is None:
            baseurl = (final / arch).as_uri()
        else:
            baseurl = url_join(options.base_url, family, target, arch)
        signed = options.sign_key is not None
        return RpmRepoFile(
            identifier=repo_id("repogen", target, arch),
            name=f"{plan.release.name} ({target}, {arch})",
            baseurl=baseurl,
            gpgkey=url_join(baseurl, "repodata", REPOMD_KEY) if signed else None,
            zypper=self.family is Family.SUSE,
        )
