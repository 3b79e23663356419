"""The rpm publisher, checked by rpm, rpmbuild, createrepo_c, libmodulemd and gpg.

The helpers at the top (reading specs, headers and records) serve the suse tests too.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import createrepo_c as cr
import pytest
import rpm

from repogen.build import build
from repogen.families.rpm import modulemd
from repogen.families.rpm.dependencies import rpm_relations
from repogen.families.rpm.rpmbuild import RpmbuildJob, run_rpmbuild
from repogen.model import RelationKind, ReleaseModel, Repository, load_release
from repogen.model.relations import Alternative, Relation, parse_relation
from repogen.publish.base import BuildError, BuildOptions, ManifestEntry
from tests.base_repositories import write_base_repository
from tests.conftest import MODELS
from tests.modulemd_validator import assert_valid_modules_yaml

#: 2024-08-01T00:00:00Z, the 12.6 release date.
EPOCH = 1722470400
_OPERATORS = {"<<": "<", "<=": "<=", "=": "=", ">=": ">=", ">>": ">"}
_TAGS = {
    RelationKind.DEPENDS: rpm.RPMTAG_REQUIRENAME,
    RelationKind.PRE_DEPENDS: rpm.RPMTAG_REQUIRENAME,
    RelationKind.RECOMMENDS: rpm.RPMTAG_RECOMMENDNAME,
    RelationKind.SUGGESTS: rpm.RPMTAG_SUGGESTNAME,
    RelationKind.SUPPLEMENTS: rpm.RPMTAG_SUPPLEMENTNAME,
    RelationKind.ENHANCES: rpm.RPMTAG_ENHANCENAME,
    RelationKind.PROVIDES: rpm.RPMTAG_PROVIDENAME,
    RelationKind.CONFLICTS: rpm.RPMTAG_CONFLICTNAME,
    RelationKind.OBSOLETES: rpm.RPMTAG_OBSOLETENAME,
}


# -- helpers shared with the suse tests ------------------------------------------------------


def build_repositories(
    release: ReleaseModel, out: Path, targets: list[str], **options: Any
) -> list[ManifestEntry]:
    """Build *targets* of *release* into *out* at :data:`EPOCH`, with *options*."""
    settings = BuildOptions(source_date_epoch=EPOCH, **options)
    return build(release, out, release.select(targets=targets), settings)


def repository_of(release: ReleaseModel, target: str, arch: str) -> Repository:
    (repository,) = [r for r in release.repositories_of(target) if r.arch == arch]
    return repository


def expected_dependency(relation: Relation) -> str:
    """What the model's *relation* must be in an RPM header, written independently."""
    parts = []
    for alternative in relation.alternatives:
        if alternative.constraint is None:
            parts.append(alternative.name)
            continue
        version = alternative.constraint.version
        if alternative.name.startswith("pattern"):
            # URL escaping, and '-' too: rpm allows one in a version (formats.md §5.1).
            version = quote(version, safe="_.~").replace("-", "%2D")
        parts.append(f"{alternative.name} {_OPERATORS[alternative.constraint.operator]} {version}")
    return parts[0] if len(parts) == 1 else f"({' or '.join(parts)})"


def header(path: Path) -> rpm.hdr:
    ts = rpm.TransactionSet()
    ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES)
    with path.open("rb") as package:
        return ts.hdrFromFdno(package.fileno())


def header_dependencies(h: rpm.hdr, tag: int) -> set[str]:
    return {d.DNEVR()[2:] for d in rpm.ds(h, tag) if not d.DNEVR()[2:].startswith("rpmlib(")}


def check_headers_match_model(directory: Path, repository: Repository) -> None:
    """Every .rpm has the NEVRA and the dependencies the model gives its package."""
    paths = sorted(directory.rglob("*.rpm"))
    assert {header(p)[rpm.RPMTAG_NAME] for p in paths} == {p.name for p in repository.packages}
    for path in paths:
        h = header(path)
        package = repository.package(h[rpm.RPMTAG_NAME])
        assert package is not None
        epoch = h[rpm.RPMTAG_EPOCH]
        evr = f"{epoch}:" if epoch is not None else ""
        assert f"{evr}{h[rpm.RPMTAG_VERSION]}-{h[rpm.RPMTAG_RELEASE]}" == package.version
        assert h[rpm.RPMTAG_ARCH] == package.arch
        for kind, tag in _TAGS.items():
            expected = {
                expected_dependency(r) for k in _TAGS if _TAGS[k] == tag for r in package.related(k)
            }
            if kind is RelationKind.PROVIDES:
                expected |= {f"{package.name} = {package.version}"}
                if package.arch != "noarch":
                    isa = {"x86_64": "x86-64", "aarch64": "aarch-64"}[package.arch]
                    expected |= {f"{package.name}({isa}) = {package.version}"}
            assert header_dependencies(h, tag) == expected, (package.name, kind)


def check_specs_parse(directory: Path, repository: Repository) -> None:
    """rpm's own parser reads every spec; together they describe every package once."""
    names: list[str] = []
    for path in sorted((directory / "SPECS").glob("*.spec")):
        spec = rpm.spec(str(path))
        source, *packages = spec.packages
        assert source.header[rpm.RPMTAG_NAME] not in {p.name for p in repository.packages}
        names += [p.header[rpm.RPMTAG_NAME] for p in packages]
    assert sorted(names) == sorted(p.name for p in repository.packages)


def repomd_types(directory: Path) -> dict[str, str]:
    repomd = cr.Repomd(str(directory / "repodata" / "repomd.xml"))
    return {record.type: record.location_href for record in repomd.records}


def primary(directory: Path) -> dict[str, cr.Package]:
    metadata = cr.Metadata()
    metadata.locate_and_load_xml(str(directory))
    return {p.name: p for p in map(metadata.get, metadata.keys())}


def record_summary(record: cr.Package) -> tuple[object, ...]:
    """What a client resolves from a record: identity and every kind of dependency."""
    fields = ("requires", "provides", "conflicts", "obsoletes", "recommends", "suggests")
    more = ("supplements", "enhances")
    return (
        record.name,
        record.epoch,
        record.version,
        record.release,
        record.arch,
        record.summary,
        record.description,
        record.rpm_sourcerpm,
        record.location_href,
        *(sorted(getattr(record, field)) for field in (*fields, *more)),
    )


def _located(tree: Path, path: Path) -> bytes:
    """*path*'s content with *tree*'s own location taken out: the client files (``.repo``)
    name where the output is, by design."""
    data = path.read_bytes()
    if path.suffix not in {".repo", ".sources", ".list"}:
        return data
    return data.replace(str(tree).encode(), b"TREE").replace(str(tree.parent).encode(), b"OUT")


def trees_identical(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*"))
    files_b = sorted(p.relative_to(b) for p in b.rglob("*"))
    return files_a == files_b and all(
        _located(a, a / f) == _located(b, b / f) for f in files_a if (a / f).is_file()
    )


# -- builds ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rpm_12_6(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    out = tmp_path_factory.mktemp("rpm-12.6") / "out"
    build_repositories(release_12_6, out, ["rhel9", "fedora40"])
    return out


@pytest.fixture(scope="session")
def rpm_12_5(tmp_path_factory: pytest.TempPathFactory, release_12_5: ReleaseModel) -> Path:
    out = tmp_path_factory.mktemp("rpm-12.5") / "out"
    build_repositories(release_12_5, out, ["rhel9"])
    return out


@pytest.fixture(scope="session")
def rpm_12_6_metadata(tmp_path_factory: pytest.TempPathFactory, release_12_6: ReleaseModel) -> Path:
    out = tmp_path_factory.mktemp("rpm-12.6-metadata") / "out"
    build_repositories(release_12_6, out, ["rhel9", "fedora40"], packages=False)
    return out


# -- the tree ----------------------------------------------------------------------------------


def test_manifest_names_each_repository_by_its_baseurl(rpm_12_6: Path) -> None:
    manifest = json.loads((rpm_12_6 / "manifest.json").read_text())
    repos = {(r["target"], r["arch"]): r for r in manifest["repos"]}
    assert set(repos) == {("rhel9", "x86_64"), ("rhel9", "sbsa"), ("fedora40", "x86_64")}
    for (target, arch), entry in repos.items():
        assert entry["family"] == "rpm"
        assert entry["path"] == f"rpm/{target}/{arch}"
        assert entry["client"] == (rpm_12_6 / "rpm" / target / arch).as_uri()


@pytest.mark.parametrize(
    ("target", "arch", "modular"),
    [("rhel9", "x86_64", True), ("rhel9", "sbsa", True), ("fedora40", "x86_64", False)],
)
def test_repodata_is_gz_and_modular_targets_have_modules(
    rpm_12_6: Path, target: str, arch: str, modular: bool
) -> None:
    types = repomd_types(rpm_12_6 / "rpm" / target / arch)
    expected = {"primary", "filelists", "other"} | ({"modules"} if modular else set())
    assert set(types) == expected
    assert all(href.endswith(".gz") for href in types.values())


@pytest.mark.parametrize(
    ("target", "arch"), [("rhel9", "x86_64"), ("rhel9", "sbsa"), ("fedora40", "x86_64")]
)
def test_specs_parse_and_packages_match_the_model(
    rpm_12_6: Path, release_12_6: ReleaseModel, target: str, arch: str
) -> None:
    directory = rpm_12_6 / "rpm" / target / arch
    repository = repository_of(release_12_6, target, arch)
    check_specs_parse(directory, repository)
    check_headers_match_model(directory / "Packages", repository)


def test_aarch64_packages_are_built_for_aarch64(rpm_12_6: Path) -> None:
    arches = {header(p)[rpm.RPMTAG_ARCH] for p in (rpm_12_6 / "rpm/rhel9/sbsa").rglob("*.rpm")}
    assert arches == {"aarch64", "noarch"}


def test_driver_packages_carry_epoch_3(rpm_12_6: Path) -> None:
    path = next((rpm_12_6 / "rpm/rhel9/x86_64/Packages").glob("kmod-nvidia-open-dkms-*.rpm"))
    h = header(path)
    assert (h[rpm.RPMTAG_EPOCH], h[rpm.RPMTAG_VERSION], h[rpm.RPMTAG_RELEASE]) == (
        3,
        "560.28.03",
        "1.el9",
    )
    assert h[rpm.RPMTAG_BUILDTIME] == EPOCH
    assert h[rpm.RPMTAG_BUILDHOST] == "repogen"


# -- modules ----------------------------------------------------------------------------------


def modules_yaml(directory: Path) -> str:
    return gzip.decompress((directory / repomd_types(directory)["modules"]).read_bytes()).decode()


@pytest.mark.parametrize(
    ("fixture", "default", "branch"),
    [("rpm_12_6", "open-dkms", "560"), ("rpm_12_5", "latest-dkms", "555")],
)
def test_modules_yaml_is_valid_and_has_the_release_default(
    request: pytest.FixtureRequest, tmp_path: Path, fixture: str, default: str, branch: str
) -> None:
    directory = request.getfixturevalue(fixture) / "rpm/rhel9/x86_64"
    text = modules_yaml(directory)
    assert_valid_modules_yaml(text, tmp_path)
    index = modulemd.Modulemd.ModuleIndex.new()
    ok, failures = index.update_from_string(text, True)
    assert ok, [f.get_gerror().message for f in failures]
    module = index.get_module("nvidia-driver")
    assert module.get_defaults().get_default_stream() == default
    streams = {s.get_stream_name(): s for s in module.get_all_streams()}
    assert set(streams) == {
        "latest",
        "latest-dkms",
        "open-dkms",
        branch,
        f"{branch}-dkms",
        f"{branch}-open",
    }
    stream = streams[default]
    assert stream.get_arch() == "x86_64"
    # Versioned by the release's date as NVIDIA's generator versions a stream document, not
    # by SOURCE_DATE_EPOCH: a release published later into a channel keeps its version.
    date = request.getfixturevalue(fixture.replace("rpm_", "release_")).release.date
    assert stream.get_version() == int(date.replace("-", "") + "000000")
    (dependencies,) = stream.get_dependencies()
    assert dependencies.get_runtime_streams("platform") == ["el9"]
    kmod = "kmod-nvidia-open-dkms" if default == "open-dkms" else "kmod-nvidia-latest-dkms"
    assert kmod in stream.get_profile("default").get_rpms()
    artifacts = stream.get_rpm_artifacts()
    assert any(a.startswith(f"{kmod}-3:") and a.endswith(".el9.x86_64") for a in artifacts)
    # cuda-drivers is built per architecture, with the dist tag (nvidia-packaging.md §8).
    assert any(a.startswith("cuda-drivers-3:") and a.endswith(".el9.x86_64") for a in artifacts)


# -- reproducibility and metadata-only builds -------------------------------------------------


def test_rebuilding_gives_a_byte_identical_tree(
    rpm_12_6: Path, release_12_6: ReleaseModel, tmp_path: Path
) -> None:
    build_repositories(release_12_6, tmp_path / "again", ["rhel9", "fedora40"])
    assert trees_identical(rpm_12_6 / "rpm", tmp_path / "again" / "rpm")


@pytest.mark.parametrize(
    ("target", "arch"), [("rhel9", "x86_64"), ("rhel9", "sbsa"), ("fedora40", "x86_64")]
)
def test_metadata_only_records_are_what_the_built_packages_give(
    rpm_12_6: Path, rpm_12_6_metadata: Path, target: str, arch: str
) -> None:
    assert not list(rpm_12_6_metadata.rglob("*.rpm"))
    built = primary(rpm_12_6 / "rpm" / target / arch)
    described = primary(rpm_12_6_metadata / "rpm" / target / arch)
    assert {n: record_summary(r) for n, r in described.items()} == {
        n: record_summary(r) for n, r in built.items()
    }
    assert modules_or_none(rpm_12_6_metadata / "rpm" / target / arch) == modules_or_none(
        rpm_12_6 / "rpm" / target / arch
    )


def modules_or_none(directory: Path) -> str | None:
    return modules_yaml(directory) if "modules" in repomd_types(directory) else None


# -- real packages (--add-packages) -----------------------------------------------------------

REAL_SPEC = """\
Name:           cuda-compiler-12-6
Version:        {version}
Release:        1
Summary:        CUDA compiler 12.6 (the real one)
License:        NVIDIA Proprietary
%description
The real compiler.
%install
mkdir -p %{{buildroot}}/usr/local/cuda-12.6/bin
echo nvcc > %{{buildroot}}/usr/local/cuda-12.6/bin/nvcc
%files
/usr/local/cuda-12.6/bin/nvcc
"""


def real_package(directory: Path, version: str) -> Path:
    """A real (non-empty) cuda-compiler-12-6 built with rpmbuild, in DIR/rhel9/."""
    (directory / "spec").mkdir(parents=True)
    spec = directory / "spec" / "cuda-compiler.spec"
    spec.write_text(REAL_SPEC.format(version=version))
    output = directory / "packages" / "rhel9"
    run_rpmbuild([RpmbuildJob(spec, "x86_64", output)], directory / "work", EPOCH)
    (path,) = output.glob("*.rpm")
    return path


def test_a_real_package_replaces_its_stand_in(release_12_6: ReleaseModel, tmp_path: Path) -> None:
    real = real_package(tmp_path, "12.6.0")
    out = tmp_path / "out"
    build_repositories(release_12_6, out, ["rhel9"], add_packages=tmp_path / "packages")
    directory = out / "rpm/rhel9/x86_64"
    record = primary(directory)["cuda-compiler-12-6"]
    assert record.files == [(None, "/usr/local/cuda-12.6/bin/", "nvcc")]
    assert (directory / record.location_href).read_bytes() == real.read_bytes()
    assert record.pkgId == hashlib.sha256(real.read_bytes()).hexdigest()
    specs = "".join(p.read_text() for p in (directory / "SPECS").glob("*.spec"))
    assert "%package -n cuda-compiler-12-6\n" not in specs
    # The sbsa repository keeps its stand-in: the real package is for x86_64.
    assert primary(out / "rpm/rhel9/sbsa")["cuda-compiler-12-6"].files == []
    # Without package files, the real package is still indexed from its header.
    options = {"add_packages": tmp_path / "packages", "packages": False}
    build_repositories(release_12_6, tmp_path / "metadata", ["rhel9"], **options)
    described = primary(tmp_path / "metadata/rpm/rhel9/x86_64")["cuda-compiler-12-6"]
    assert record_summary(described) == record_summary(record)
    assert described.pkgId == record.pkgId
    assert not list((tmp_path / "metadata").rglob("*.rpm"))


def test_a_real_package_that_differs_from_the_model_is_refused(
    release_12_6: ReleaseModel, tmp_path: Path
) -> None:
    real_package(tmp_path, "12.6.1")
    with pytest.raises(BuildError) as refused:
        build_repositories(
            release_12_6, tmp_path / "out", ["rhel9"], add_packages=tmp_path / "packages"
        )
    message = str(refused.value)
    assert "cuda-compiler-12-6-0:12.6.1-1.x86_64" in message
    assert "cuda-compiler-12-6-0:12.6.0-1.x86_64" in message
    assert not (tmp_path / "out").exists()


# -- text from the model, every relation tag ----------------------------------------------------


def hostile_repository(
    tmp_path: Path, summary: str, description: str
) -> tuple[ReleaseModel, Repository]:
    """The minimal model's rpm1 repository, its `toolkit` with *summary*, *description* and one
    relation of every kind."""
    release = load_release(MODELS / "minimal.yaml")
    repository = repository_of(release, "rpm1", "x86_64")
    relations = {
        RelationKind.DEPENDS: ("driver (>= 560) | kmod-open", "dkms"),
        RelationKind.PRE_DEPENDS: ("dkms",),
        RelationKind.RECOMMENDS: ("kmod-open",),
        RelationKind.SUGGESTS: ("driver (<< 999)",),
        RelationKind.SUPPLEMENTS: ("driver",),
        RelationKind.ENHANCES: ("driver",),
        RelationKind.PROVIDES: ("toolkit-virtual (= 1.0)",),
        RelationKind.CONFLICTS: ("old-toolkit (<< 2.0)",),
        RelationKind.OBSOLETES: ("old-toolkit (<< 2.0)",),
    }
    packages = tuple(
        dataclasses.replace(
            p,
            summary=summary,
            description=description,
            relations={k: tuple(map(parse_relation, v)) for k, v in relations.items()},
        )
        if p.name == "toolkit"
        else p
        for p in repository.packages
    )
    return release, dataclasses.replace(repository, packages=packages)


def test_model_text_never_becomes_a_spec_directive(tmp_path: Path) -> None:
    pwned = tmp_path / "pwned"
    summary = f"100% %(touch {pwned})\nRequires: evil"
    description = (
        f"Uses %{{lua: os.execute('touch {pwned}')}} and %(touch {pwned}).\n\nRequires: evil"
    )
    release, repository = hostile_repository(tmp_path, summary, description)
    build(release, tmp_path / "out", [repository], BuildOptions(source_date_epoch=EPOCH))
    assert not pwned.exists()
    directory = tmp_path / "out/rpm/rpm1/x86_64"
    check_specs_parse(directory, repository)
    check_headers_match_model(directory / "Packages", repository)
    h = header(next((directory / "Packages").glob("toolkit-*.rpm")))
    assert h[rpm.RPMTAG_SUMMARY] == f"100% %(touch {pwned}) Requires: evil"
    assert h[rpm.RPMTAG_DESCRIPTION] == description
    assert not any("evil" in r for r in header_dependencies(h, rpm.RPMTAG_REQUIRENAME))
    assert not pwned.exists()


def test_every_relation_kind_reaches_header_and_records_alike(tmp_path: Path) -> None:
    release, repository = hostile_repository(tmp_path, "toolkit", "The toolkit.")
    build(release, tmp_path / "built", [repository], BuildOptions(source_date_epoch=EPOCH))
    options = BuildOptions(source_date_epoch=EPOCH, packages=False)
    build(release, tmp_path / "described", [repository], options)
    directory = tmp_path / "built/rpm/rpm1/x86_64"
    check_headers_match_model(directory / "Packages", repository)
    h = header(next((directory / "Packages").glob("toolkit-*.rpm")))
    pre = [d.N() for d in rpm.ds(h, rpm.RPMTAG_REQUIRENAME) if d.Flags() & rpm.RPMSENSE_SCRIPT_PRE]
    assert pre == ["dkms"]
    assert "(driver >= 560 or kmod-open)" in header_dependencies(h, rpm.RPMTAG_REQUIRENAME)
    built = primary(directory)
    described = primary(tmp_path / "described/rpm/rpm1/x86_64")
    assert {n: record_summary(r) for n, r in described.items()} == {
        n: record_summary(r) for n, r in built.items()
    }


@pytest.mark.parametrize("line", ["%files", "  %if 1", "# a comment rpmbuild would drop"])
def test_a_description_line_rpmbuild_would_read_as_a_directive_is_refused(
    tmp_path: Path, line: str
) -> None:
    release, repository = hostile_repository(tmp_path, "toolkit", f"First line.\n{line}")
    with pytest.raises(BuildError, match=r"package toolkit: description, line 2"):
        build(release, tmp_path / "out", [repository], BuildOptions(source_date_epoch=EPOCH))


# -- signing, base repositories -----------------------------------------------------------------


@pytest.fixture
def gpg_home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--homedir",
            str(home),
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
            "--quick-gen-key",
            "repogen test <test@example.invalid>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
    )
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False)


def test_signing_writes_a_signature_gpg_verifies(
    release_12_6: ReleaseModel, tmp_path: Path, gpg_home: Path
) -> None:
    out = tmp_path / "out"
    build_repositories(
        release_12_6, out, ["fedora40"], sign_key="test@example.invalid", gpg_home=gpg_home
    )
    repodata = out / "rpm/fedora40/x86_64/repodata"
    verified = subprocess.run(
        [
            "gpg",
            "--homedir",
            str(gpg_home),
            "--verify",
            str(repodata / "repomd.xml.asc"),
            str(repodata / "repomd.xml"),
        ],
        check=False,
        capture_output=True,
        text=True,
    )
    assert verified.returncode == 0, verified.stderr
    assert (repodata / "repomd.xml.asc").read_text().startswith("-----BEGIN PGP SIGNATURE-----")


def test_a_key_gpg_does_not_have_fails_the_build(
    release_12_6: ReleaseModel, tmp_path: Path, gpg_home: Path
) -> None:
    with pytest.raises(BuildError, match=r"nobody@example\.invalid"):
        build_repositories(
            release_12_6,
            tmp_path / "out",
            ["fedora40"],
            sign_key="nobody@example.invalid",
            gpg_home=gpg_home,
        )
    assert not (tmp_path / "out").exists()


def test_the_base_stub_repository_describes_the_distribution_packages(
    release_12_6: ReleaseModel, tmp_path: Path
) -> None:
    repository = repository_of(release_12_6, "rhel9", "x86_64")
    write_base_repository(tmp_path / "base", repository, EPOCH)
    records = primary(tmp_path / "base")
    assert set(records) == {b.name for b in repository.base}
    assert ("kernel", None, None, None, None, False) in records["kernel-core"].provides
    assert (records["libglvnd-glx"].epoch, records["libglvnd-glx"].version) == ("1", "1.3.4")
    assert not list((tmp_path / "base").rglob("*.rpm"))


#: A package with rich (boolean) dependencies, as the bundled precompiled kmods carry them.
_RICH = """packages:
  - name: kmod-pre
    version: driver
    summary: precompiled kernel modules
    arch: any
    when: {family: [rpm]}
    depends: ["(dkms = 3.0 if dkms)", "(kmod-open or kmod-proprietary >= 1)"]
    supplements: ["(driver = 3:{driver} and dkms)"]
"""


def test_rich_dependencies_are_written_as_the_model_has_them_and_read_back_equal(
    tmp_path: Path,
) -> None:
    """A rich dependency is rendered verbatim, rpm reads it from the header as written, and
    the primary.xml record gives back the model's relations: a choice as alternatives, any
    other rich dependency as its text."""
    model = tmp_path / "model.yaml"
    model.write_text((MODELS / "minimal.yaml").read_text().replace("packages:\n", _RICH, 1))
    release = load_release(model, tmp_path)
    repository = repository_of(release, "rpm1", "x86_64")
    kmod = repository.package("kmod-pre")
    assert kmod is not None
    assert kmod.related(RelationKind.DEPENDS) == (
        Relation((Alternative("(dkms = 3.0 if dkms)"),)),
        parse_relation("kmod-open | kmod-proprietary (>= 1)"),
    )
    supplements = "(driver = 3:560.28.03 and dkms)"
    assert kmod.related(RelationKind.SUPPLEMENTS) == (Relation((Alternative(supplements),)),)
    build(release, tmp_path / "out", [repository], BuildOptions(source_date_epoch=EPOCH))
    directory = tmp_path / "out/rpm/rpm1/x86_64"
    h = header(next((directory / "Packages").glob("kmod-pre-*.rpm")))
    assert header_dependencies(h, rpm.RPMTAG_REQUIRENAME) == {
        "(dkms = 3.0 if dkms)",
        "(kmod-open or kmod-proprietary >= 1)",
    }
    assert header_dependencies(h, rpm.RPMTAG_SUPPLEMENTNAME) == {supplements}
    record = primary(directory)["kmod-pre"]
    assert rpm_relations(record.requires) == kmod.related(RelationKind.DEPENDS)
    assert rpm_relations(record.supplements) == kmod.related(RelationKind.SUPPLEMENTS)
