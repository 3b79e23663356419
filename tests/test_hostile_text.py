"""Model text never becomes a directive: hostile summaries and descriptions either are refused
with a clear error, or every rendered file parses back, with each format's own parser, to the
model's values (whitespace folded into single spaces in one-line fields)."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path
from typing import Any

import pytest
import rpm
import yaml
from debian.deb822 import Packages
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from repogen.build import build
from repogen.families.rpm.modulemd import Modulemd
from repogen.model import ModelErrors, load_release
from repogen.publish.base import BuildError, BuildOptions

from .conftest import MODELS

MARKER = Path("/tmp/repogen-hostile-marker")
HOSTILE = [
    "%(touch /tmp/repogen-hostile-marker)",
    "%{lua: os.execute('touch /tmp/repogen-hostile-marker')}",
    "\nDepends: evil",
    "\nRequires: evil",
    "\n%files\n/etc/passwd",
    "</summary><evil/>",
    "]]>&amp;&lt;",
    "{{}}",
    "\n.\n",
    "---\n- not: yaml",
    "key: value",
    "100%",
    "\t\r\n",
]
text = st.lists(
    st.sampled_from(HOSTILE) | st.text(alphabet="ab %:<>&'\"\\#-.\n\t[]*|$`", max_size=12),
    min_size=1,
    max_size=4,
).map("".join)
RPM_NS = {"c": "http://linux.duke.edu/metadata/common"}


def literal(text: str) -> str:
    """*text* as a model template whose value is *text* itself."""
    return text.replace("{", "{{").replace("}", "}}")


def model(tmp: Path, summary: str, description: str) -> Path:
    """The minimal model with *summary* and *description* on a package and the module."""
    summary, description = literal(summary), literal(description)
    data = yaml.safe_load((MODELS / "minimal.yaml").read_text())
    driver = next(p for p in data["packages"] if p["name"] == "driver")
    driver["summary"] = summary
    driver["description"] = description
    module = data["modules"]["nvidia-driver"]
    module["description"] = description
    for stream in module["streams"]:
        stream["summary"] = summary
    path = tmp / "hostile.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def folded(value: str) -> str:
    return " ".join(value.split())


def deb_stanza(out: Path) -> Any:
    index = out / "deb/deb1/dists/jammy/main/binary-amd64/Packages"
    with index.open() as handle:
        stanzas = {
            str(p["Package"]): p for p in Packages.iter_paragraphs(handle, use_apt_pkg=False)
        }
    return stanzas["driver"]


def rpm_header(out: Path, family: str, target: str) -> Any:
    (spec_file,) = (out / family / target / "x86_64" / "SPECS").glob("*-560.28.03-*.spec")
    rpm.reloadConfig()
    rpm.addMacro("_dbpath", str(out / "rpmdb"))
    spec = rpm.spec(str(spec_file))
    return next(p.header for p in spec.packages if p.header[rpm.RPMTAG_NAME] == "driver")


def primary(out: Path, family: str, target: str) -> Any:
    (primary_file,) = (out / family / target / "x86_64" / "repodata").glob("*-primary.xml.gz")
    root = etree.fromstring(gzip.decompress(primary_file.read_bytes()))
    (package,) = root.xpath("c:package[c:name='driver']", namespaces=RPM_NS)
    return package


def check_round_trip(out: Path, summary: str, description: str) -> None:
    stanza = deb_stanza(out)
    first, *rest = str(stanza["Description"]).split("\n")
    assert first == folded(summary)
    long = [line[1:] if line != " ." else "" for line in rest]
    if folded(description) not in {"", folded(summary)}:
        assert long == [line.rstrip() for line in description.strip().splitlines()]
    assert "evil" not in {str(k).lower() for k in stanza}
    assert not stanza.relations["depends"][0][0]["name"].startswith("evil")
    for family, target in (("rpm", "rpm1"), ("suse", "suse1")):
        header = rpm_header(out, family, target)
        assert header[rpm.RPMTAG_SUMMARY] == folded(summary)
        lines = description.strip("\n").splitlines()
        # rpm keeps lines as written, less trailing blanks and trailing blank lines.
        expected = "\n".join(line.rstrip() for line in lines).rstrip("\n")
        assert header[rpm.RPMTAG_DESCRIPTION] == expected
        assert "evil" not in header[rpm.RPMTAG_REQUIRENAME]
        package = primary(out, family, target)
        assert package.findtext("c:summary", namespaces=RPM_NS) == folded(summary)
    (modules_file,) = (out / "rpm/rpm1/x86_64/repodata").glob("*-modules.yaml.gz")
    modules = gzip.decompress(modules_file.read_bytes()).decode()
    index = Modulemd.ModuleIndex.new()
    ok, failures = index.update_from_string(modules, True)
    assert ok, [f.get_gerror().message for f in failures]
    stream = index.get_module("nvidia-driver").get_all_streams()[0]
    assert stream.get_summary() == summary
    assert stream.get_description() == description
    validated = out / "modules.yaml"
    validated.write_text(modules)
    subprocess.run(["modulemd-validator", str(validated)], check=True, capture_output=True)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(summary=text, description=text)
@example(
    summary="100% open <b>&amp;</b> %(touch /tmp/repogen-hostile-marker)",
    description="line one\nDepends: evil\n\nRequires: evil",
)
@example(summary="toolkit\nDepends: evil", description="</description><x>\n.\n---")
def test_hostile_text_is_refused_or_round_trips(
    tmp_path_factory: pytest.TempPathFactory, summary: str, description: str
) -> None:
    tmp = tmp_path_factory.mktemp("hostile")
    MARKER.unlink(missing_ok=True)
    refusal = ""
    try:
        release = load_release(model(tmp, summary, description))
        build(
            release,
            tmp / "out",
            release.repositories,
            BuildOptions(source_date_epoch=0, packages=False),
        )
    except (ModelErrors, BuildError) as exc:
        refusal = str(exc).strip()
    if refusal:
        assert not (tmp / "out").exists()
    else:
        check_round_trip(tmp / "out", summary, description)
    assert not MARKER.exists(), "model text ran a command"


def test_plain_text_with_specials_is_accepted(tmp_path: Path) -> None:
    summary, description = "100% open <b> & 'quoted'", "First line: with colon.\n\n- a list"
    release = load_release(model(tmp_path, summary, description))
    build(
        release,
        tmp_path / "out",
        release.repositories,
        BuildOptions(source_date_epoch=0, packages=False),
    )
    check_round_trip(tmp_path / "out", summary, description)


def test_rpmbuild_never_runs_model_text(tmp_path: Path) -> None:
    MARKER.unlink(missing_ok=True)
    summary = "%(touch /tmp/repogen-hostile-marker) %{lua: os.execute('touch /tmp/x')}"
    release = load_release(model(tmp_path, summary, "plain"))
    build(release, tmp_path / "out", release.select(["rpm1"]), BuildOptions(source_date_epoch=0))
    assert not MARKER.exists()
    (built,) = (tmp_path / "out/rpm/rpm1/x86_64/Packages").glob("driver-*.rpm")
    info = subprocess.run(
        ["rpm", "-qp", "--dbpath", str(tmp_path / "db"), "--qf", "%{SUMMARY}", str(built)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert info.stdout == summary


@pytest.mark.parametrize("name", ["../../etc/evil", "a/b", "..", "x\ny"])
def test_names_cannot_escape_the_output(name: str, tmp_path: Path) -> None:
    data = yaml.safe_load((MODELS / "minimal.yaml").read_text())
    data["packages"].append({"name": name, "version": "cuda", "summary": "s"})
    path = tmp_path / "escape.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ModelErrors, match="is not a"):
        load_release(path)
