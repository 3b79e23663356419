"""Channels: loading, the merged view at each point, and the rules of a history."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

import repogen.channel.load
from repogen.channel import Channel, HistoryError, UnknownPoint, load_channel, merge_releases
from repogen.cli import app
from repogen.model import ModelErrors, ReleaseModel, Repository
from tests.channel_history import POINTS, write_history

CHANNELS = Path(__file__).parent / "channels"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_history(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def channel(history: Path) -> Channel:
    return load_channel(history)


def repository(release: ReleaseModel, target: str, arch: str) -> Repository:
    (found,) = release.select([target], [arch])
    return found


def versions(repository: Repository, name: str) -> list[str]:
    return [p.version for p in repository.packages if p.name == name]


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ModelErrors) as caught:
        load_channel(path)
    return [str(e) for e in caught.value.errors]


# -- points and the merged view ---------------------------------------------------------------


def test_points_are_the_release_names_oldest_first(channel: Channel) -> None:
    assert channel.name == "nvidia-test"
    assert channel.points == POINTS
    assert channel.at().releases == POINTS
    assert channel.at("cuda-12.6.0").releases == POINTS[:2]
    assert channel.at().release.name == "driver-565.57.01"
    assert channel.at("cuda-12.5.1").release.name == "cuda-12.5.1"


def test_an_unknown_point_names_the_known_ones(channel: Channel) -> None:
    known = r"no release 'cuda-13\.0\.0'.*it has cuda-12\.5\.1, cuda-12\.6\.0"
    with pytest.raises(UnknownPoint, match=known):
        channel.at("cuda-13.0.0")


def test_the_first_point_is_the_first_release_as_its_model_gives_it(channel: Channel) -> None:
    first = channel.at("cuda-12.5.1")
    assert first.repositories == channel.releases[0].repositories
    assert first.source == channel.source


def test_a_repository_holds_every_release_version_of_a_package(channel: Channel) -> None:
    ubuntu = repository(channel.at(), "ubuntu2204", "amd64")
    assert versions(ubuntu, "nvidia-open-560") == ["560.28.03-1", "560.35.03-1"]
    assert versions(ubuntu, "nvidia-open-565") == ["565.57.01-1"]
    assert versions(ubuntu, "cuda-drivers-555") == ["555.42.06-1"]
    # An earlier point holds only what was published by then.
    earlier = repository(channel.at("cuda-12.6.0"), "ubuntu2204", "amd64")
    assert versions(earlier, "nvidia-open-560") == ["560.28.03-1"]
    assert not versions(earlier, "nvidia-open-565")


def test_a_package_published_identically_twice_is_kept_once(channel: Channel) -> None:
    # 12.6.0 and 12.6.1 publish the same 12.6 toolkit metapackage names at other versions,
    # but the distribution's base stubs are the same in every release.
    rhel9 = repository(channel.at(), "rhel9", "x86_64")
    first = repository(channel.releases[0], "rhel9", "x86_64")
    assert rhel9.base == first.base
    for release in channel.releases:
        for package in repository(release, "rhel9", "x86_64").packages:
            assert versions(rhel9, package.name).count(package.version) == 1


def test_each_merged_package_names_the_release_that_published_it_first(channel: Channel) -> None:
    first_seen: dict[tuple[str, str, str], str] = {}
    for release in channel.releases:
        for package in repository(release, "rhel9", "x86_64").packages:
            key = (package.name, package.version, package.arch)
            first_seen.setdefault(key, release.release.name)
    merged = repository(channel.at(), "rhel9", "x86_64")
    own = {
        (p.name, p.version, p.arch): p
        for p in repository(channel.releases[0], "rhel9", "x86_64").packages
    }
    for package in merged.packages:
        key = (package.name, package.version, package.arch)
        assert package.release == first_seen[key]
        if key in own:  # every other field is the release's own
            assert replace(package, release=None).__dict__ == own[key].__dict__


def test_a_driver_only_release_publishes_no_cuda_package(channel: Channel) -> None:
    driver_only = repository(channel.releases[-1], "ubuntu2204", "amd64")
    assert channel.releases[-1].release.cuda is None
    assert not [p.name for p in driver_only.packages if re.match(r"cuda-(toolkit|runtime)", p.name)]
    assert versions(driver_only, "cuda-drivers") == ["565.57.01-1"]


# -- dnf modules ------------------------------------------------------------------------------


def test_streams_follow_nvidias_generator(channel: Channel) -> None:
    (module,) = repository(channel.at(), "rhel9", "x86_64").modules
    streams = {s.name: s for s in module.streams}
    assert set(streams) == {
        *(f"{b}{kind}" for b in ("555", "560", "565") for kind in ("", "-dkms", "-open")),
        "latest",
        "latest-dkms",
        "open-dkms",
    }
    assert module.default_stream == "open-dkms"

    def kmods(stream: str) -> list[str]:
        (build,) = streams[stream].builds
        return [a for a in build.artifacts if a.startswith("kmod-nvidia-open-dkms")]

    # A branch stream lists every version of its branch; latest streams the newest branch's.
    assert kmods("560-open") == [
        "kmod-nvidia-open-dkms-3:560.28.03-1.el9.x86_64",
        "kmod-nvidia-open-dkms-3:560.35.03-1.el9.x86_64",
    ]
    assert kmods("555-open") == ["kmod-nvidia-open-dkms-3:555.42.06-1.el9.x86_64"]
    assert kmods("open-dkms") == ["kmod-nvidia-open-dkms-3:565.57.01-1.el9.x86_64"]
    # Version: the date of the stream's newest release; context: genmodules' md5.
    assert streams["560-open"].builds[0].version == 20240820000000
    assert streams["open-dkms"].builds[0].version == 20241119000000
    assert streams["555"].builds[0].version == 20240627000000
    contexts = {s.builds[0].context for s in module.streams}
    assert len(contexts) == len(module.streams)
    assert all(re.fullmatch(r"[0-9a-f]{10}", c) for c in contexts)


def test_the_default_stream_is_the_newest_releases(channel: Channel) -> None:
    (before,) = repository(channel.at("cuda-12.5.1"), "rhel9", "x86_64").modules
    (after,) = repository(channel.at("cuda-12.6.0"), "rhel9", "x86_64").modules
    assert (before.default_stream, after.default_stream) == ("latest-dkms", "open-dkms")


# -- the rules of a history -------------------------------------------------------------------


def test_releases_out_of_order_go_backwards(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("cuda-12.5.1", "cuda-12.6.1", "cuda-12.6.0"))
    errors = errors_of(path)
    backwards = [e for e in errors if "goes back from 560.35.03-0ubuntu1 (release cuda-12.6.1" in e]
    assert backwards, errors
    # At the later release's package, naming the earlier one's file and line.
    assert re.match(r".*/releases/(cuda-12.6|common/[a-z0-9-]+).yaml:\d+:\d+: ", backwards[0])
    assert re.search(r"cuda-12.6.1, .*/releases/\S+\.yaml:\d+:\d+\) to 560.28.03", backwards[0])
    assert any("is dated 2024-08-01, before cuda-12.6.1" in e for e in errors)


def test_one_version_with_two_contents_is_refused(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("cuda-12.6.0", "cuda-12.6.1"))
    common = tmp_path / "releases" / "common"
    changed = (common / "driver-from-560.yaml").read_text()
    changed = changed.replace(
        "NVIDIA driver {branch} with the open GPU kernel modules",
        "NVIDIA driver {branch}, open GPU kernel modules",
    )
    (common / "driver-from-560-changed.yaml").write_text(changed)
    text = (tmp_path / "releases" / "cuda-12.6.1.yaml").read_text()
    # 12.6.1 republishes 12.6.0's driver with another summary.
    text = text.replace("driver: 560.35.03", "driver: 560.28.03").replace(
        "common/driver-from-560.yaml", "common/driver-from-560-changed.yaml"
    )
    (tmp_path / "releases" / "cuda-12.6.1.yaml").write_text(text)
    errors = errors_of(path)
    line = next(e for e in errors if "nvidia-open-560 560.28.03-1 (amd64) differs" in e)
    assert line.startswith(f"{tmp_path}/releases/common/driver-from-560-changed.yaml:")
    assert "release cuda-12.6.1: ubuntu2204/amd64" in line or "release cuda-12.6.1: " in line
    assert f"cuda-12.6.0 publishes ({tmp_path}/releases/common/driver-from-560.yaml:" in line


def test_merge_releases_refuses_a_history_it_cannot_publish(channel: Channel) -> None:
    with pytest.raises(HistoryError, match=r"goes back from 560\.35\.03"):
        merge_releases([channel.releases[2], channel.releases[1]])
    with pytest.raises(ValueError, match="at least one release"):
        merge_releases([])


@pytest.mark.parametrize("point", POINTS)
def test_merging_step_by_step_is_merging_at_once(channel: Channel, point: str) -> None:
    """A point is the point before merged with its release (what publishing one more
    release into an existing repository does): the same as merging every release up to it."""
    index = POINTS.index(point)
    at_once = merge_releases(channel.releases[: index + 1])
    step = channel.at(point)
    assert (step.releases, step.release) == (at_once.releases, at_once.release)
    assert step.assertions == at_once.assertions
    for ours, theirs in zip(step.repositories, at_once.repositories, strict=True):
        assert ours.packages == theirs.packages
        assert ours.base == theirs.base
        assert [(s, s.builds) for m in ours.modules for s in m.streams] == [
            (s, s.builds) for m in theirs.modules for s in m.streams
        ]
        assert [(m.default_stream, m.default_profile) for m in ours.modules] == [
            (m.default_stream, m.default_profile) for m in theirs.modules
        ]


# -- loading errors ---------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_an_error_in_a_release_names_its_file_line_and_the_channel_entry(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("cuda-12.5.1", "cuda-12.6.0"))
    release = tmp_path / "releases" / "cuda-12.6.yaml"
    release.write_text(release.read_text().replace("default_flavor: open", "default_flavor: 3"))
    (error,) = errors_of(path)
    assert error.startswith(f"{release}:")
    assert "release.default_flavor" in error
    assert error.endswith(f"(release releases/cuda-12.6.yaml, listed at {path}:4:5)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("channel: x\nreleases: []\n", r"channel.yaml:2:\d+: releases: .*at least 1"),
        ("channel: x\n", r"channel.yaml:1:1: releases: missing required key 'releases'"),
        ("channel: x\nreleases: [a.yaml]\nextra: 1\n", r":3:1: extra: unknown key 'extra'"),
        ("channel: x\nreleases: [gone.yaml]\n", r"channel.yaml:2:12: releases\[0\]: no such file"),
        (
            "channel: x\nreleases: [../outside.yaml]\n",
            r"channel.yaml:2:12: releases\[0\]: ../outside.yaml is outside the channel's",
        ),
        ("channel: x\nreleases: [/etc/passwd]\n", r"/etc/passwd is outside the channel's"),
        ('channel: x\nreleases: ["a\\0b.yaml"]\n', r"releases\[0\]: 'a\\x00b.yaml' is not a file"),
        ("channel: x\nreleases: [.]\n", r"releases\[0\]: .*/in is not a regular file"),
        ("channel: x\nreleases: [channel.yaml]\n", r"channel.yaml is a channel file"),
    ],
)
def test_a_broken_channel_file_is_one_line_per_error(
    tmp_path: Path, text: str, message: str
) -> None:
    write(tmp_path / "outside.yaml", "release: {}\n")
    path = write(tmp_path / "in" / "channel.yaml", text)
    errors = errors_of(path)
    assert any(re.search(message, e) for e in errors), errors


def test_a_release_listed_twice_is_refused(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("cuda-12.5.1", "cuda-12.5.1"))
    (error,) = errors_of(path)
    assert error.startswith(f"{path}:4:5: releases[1]: release cuda-12.5.1 is listed twice")


def test_a_release_may_be_bundled(tmp_path: Path) -> None:
    channel = load_channel(CHANNELS / "bundled.yaml")
    assert channel.points == ("cuda-12.5.1", "cuda-12.6.0")


def test_a_release_file_may_not_include_outside_the_channel_tree(tmp_path: Path) -> None:
    path = write_history(tmp_path / "in", ("cuda-12.5.1",))
    write(tmp_path / "secret.yaml", "packages: []\n")
    release = tmp_path / "in" / "releases" / "cuda-12.5.yaml"
    release.write_text(release.read_text().replace("include: [", "include: [../../secret.yaml, "))
    (error,) = errors_of(path)
    assert "secret.yaml is outside the model's directory" in error


# -- the command line -------------------------------------------------------------------------


def test_validate_takes_a_channel_and_a_point(history: Path) -> None:
    runner = CliRunner()
    newest = runner.invoke(app, ["validate", str(history)])
    assert newest.exit_code == 0, newest.output
    # The repository at a driver-only release still holds the newest CUDA release.
    assert newest.output.startswith("driver-565.57.01: CUDA 12.6.1, driver 565.57.01 (branch")
    assert f"\nreleases (oldest first): {', '.join(POINTS)}\n" in newest.output
    at = runner.invoke(app, ["validate", str(history), "--at", "cuda-12.6.0", "--json"])
    assert at.exit_code == 0, at.output
    summary = json.loads(at.output)
    assert (summary["release"], summary["releases"]) == ("cuda-12.6.0", list(POINTS[:2]))
    unknown = runner.invoke(app, ["validate", str(history), "--at", "nope"])
    assert unknown.exit_code == 2
    assert "no release 'nope'" in unknown.output


def test_validate_reports_a_broken_channel_with_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path / "channel.yaml", "channel: x\nreleases: [gone.yaml]\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2:12: releases[0]: no such file" in result.output
    assert "Traceback" not in result.output


def test_a_cuda_versioned_package_in_a_driver_only_release_is_an_error(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("driver-565.57.01",))
    release = tmp_path / "releases" / "driver-565.57.01.yaml"
    stray = "packages:\n- {name: cuda-stray, version: cuda, summary: s}\n"
    release.write_text(release.read_text() + stray)
    (error,) = errors_of(path)
    assert error.startswith(f"{release}:")
    assert "packages[0].version: version scheme 'cuda' is made from the CUDA version" in error


def test_a_channel_of_one_release_builds_as_its_model(tmp_path: Path) -> None:
    path = write_history(tmp_path, ("cuda-12.6.0",))
    runner = CliRunner()
    environment = {"SOURCE_DATE_EPOCH": "1722470400", "REPOGEN_MODEL_ROOT": str(tmp_path)}
    outputs = []
    for name, model in (("channel", path), ("model", tmp_path / "releases" / "cuda-12.6.yaml")):
        out = tmp_path / f"out-{name}"
        words = ["build", str(model), "-o", str(out), "--target", "rhel9", "--no-packages"]
        result = runner.invoke(app, words, env=environment)
        assert result.exit_code == 0, result.output
        outputs.append(out)
    channel, model = outputs
    files = sorted(p.relative_to(model) for p in model.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(channel) for p in channel.rglob("*") if p.is_file())
    for file in files:
        if file.name != "manifest.json" and file.suffix != ".repo":
            assert (channel / file).read_bytes() == (model / file).read_bytes(), file
    manifest = json.loads((channel / "manifest.json").read_text())
    assert (manifest["releases"], manifest["model"]) == (["cuda-12.6.0"], str(path))


def test_a_release_symlink_leading_out_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere" / "release.yaml", "release: {}\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "release.yaml").symlink_to(tmp_path / "elsewhere" / "release.yaml")
    path = write(tmp_path / "in" / "channel.yaml", "channel: x\nreleases: [release.yaml]\n")
    (error,) = errors_of(path)
    assert "releases[0]: release.yaml is outside the channel's directory" in error


@pytest.mark.parametrize(
    ("branch", "command", "installs"),
    [
        ([], "apt-get install nvidia-open", "nvidia-dkms-565-open"),
        (["--branch", "565"], "apt-get install nvidia-open-565", "nvidia-dkms-565-open"),
        (["--branch", "560"], "apt-get install nvidia-open-560", "nvidia-dkms-560-open"),
    ],
)
def test_recommend_pins_any_branch_the_channel_holds(
    history: Path, branch: list[str], command: str, installs: str
) -> None:
    words = ["recommend", str(history), "--gpu", "0x2204", "--target", "ubuntu2204", "--json"]
    result = CliRunner().invoke(app, [*words, "--verify", *branch])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert (answer["command"], answer["kernel_modules"]) == (command, [installs])
    assert answer["variants"] == []
    assert answer["verified"] is True


def test_recommend_names_the_branches_a_channel_has(history: Path) -> None:
    words = ["recommend", str(history), "--gpu", "0x2204", "--target", "rhel9", "--branch", "550"]
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 2
    assert "--branch 550: no release of" in result.output
    assert "branches: 555, 560, 565" in result.output


def test_the_releases_of_a_channel_share_one_byte_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_history(tmp_path, ("cuda-12.5.1", "cuda-12.6.0"))
    one = sum(f.stat().st_size for f in (tmp_path / "releases").rglob("*.yaml"))
    monkeypatch.setattr(repogen.channel.load, "MAX_TOTAL_BYTES", one)
    (error,) = errors_of(path)
    assert error.startswith(f"{path}:4:5: releases[1]: more than {one} bytes in the releases")
