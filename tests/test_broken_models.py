"""Every broken model in tests/models/broken gives one precise error: file, line, path, message.

Each file holds one defect and starts with ``# expect: PATH :: MESSAGE``; LOCATIONS below says
at which file:line:column the error must point.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from repogen.cli import app
from repogen.model import ModelErrors, load_release
from repogen.model.errors import format_path

BROKEN = Path(__file__).resolve().parent / "models" / "broken"
CASES = sorted(p for p in BROKEN.glob("*.yaml") if not p.name.endswith(".part.yaml"))
#: The cases include ../minimal.yaml: the tree their includes may read is tests/models.
MODELS = BROKEN.parent
EXPECT = re.compile(r"^# expect: (?P<path>\S+) :: (?P<message>.+)$")

# Where each defect is, as file:line:column relative to tests/models/broken.
LOCATIONS = {
    "artifact-not-a-package": "artifact-not-a-package.yaml:5:17",
    "bad-base-version": "bad-base-version.yaml:5:22",
    "bad-deb-version": "bad-deb-version.yaml:4:10",
    "bad-family": "bad-family.yaml:5:5",
    "bad-flavor-enum": "bad-flavor-enum.yaml:7:5",
    "bad-order": "bad-order.yaml:6:5",
    "bad-rpm-version": "bad-rpm-version.yaml:4:27",
    "breaks-on-rpm": "breaks-on-rpm.yaml:7:5",
    "cyclic-include": "cyclic-include.part.yaml:2:11",
    "deb-without-suite": "deb-without-suite.yaml:4:3",
    "default-stream-missing": "default-stream-missing.yaml:5:5",
    "duplicate-foreach-kernel": "duplicate-foreach-kernel.yaml:4:5",
    "duplicate-key": "duplicate-key.yaml:5:3",
    "duplicate-package": "duplicate-package.yaml:4:5",
    "empty": "empty.yaml:1:1",
    "flavor-on-wrong-arch": "flavor-on-wrong-arch.yaml:9:40",
    "flavors-for-missing-arch": "flavors-for-missing-arch.yaml:9:22",
    "float-version": "float-version.yaml:4:3",
    "impossible-date": "impossible-date.yaml:4:9",
    "include-not-list": "include-not-list.yaml:2:1",
    "invalid-yaml": "invalid-yaml.yaml:4:3",
    "kernel-module-without-drivers": "kernel-module-without-drivers.yaml:13:5",
    "kmod-not-a-package": "kmod-not-a-package.yaml:6:44",
    "malformed-template": "malformed-template.yaml:4:5",
    "missing-assertions-file": "missing-assertions-file.yaml:3:1",
    "missing-include": "missing-include.yaml:2:11",
    "missing-maintainer": "missing-maintainer.yaml:3:1",
    "missing-summary": "missing-summary.yaml:4:5",
    "modular-deb": "modular-deb.yaml:5:5",
    "modular-without-platform": "modular-without-platform.yaml:4:3",
    "number-not-relation": "number-not-relation.yaml:7:5",
    "obsoletes-on-deb": "obsoletes-on-deb.yaml:7:5",
    "profile-outside-stream": "profile-outside-stream.yaml:6:22",
    "provides-alternatives": "provides-alternatives.yaml:7:16",
    "provides-greater": "provides-greater.yaml:7:16",
    "qualifier-on-rpm": "qualifier-on-rpm.yaml:7:15",
    "relation-bad-operator": "relation-bad-operator.yaml:7:15",
    "relation-comma": "relation-comma.yaml:7:15",
    "relation-empty-alternative": "relation-empty-alternative.yaml:7:15",
    "relation-unclosed": "relation-unclosed.yaml:7:15",
    "rich-on-deb": "rich-on-deb.yaml:7:15",
    "rich-provides": "rich-provides.yaml:8:16",
    "rich-unreadable": "rich-unreadable.yaml:8:15",
    "string-bool": "string-bool.yaml:5:5",
    "template-error-no-cascade": "template-error-no-cascade.yaml:6:5",
    "top-level-list": "top-level-list.yaml:2:1",
    "unknown-alternative-ref": "unknown-alternative-ref.yaml:7:15",
    "unknown-arch": "unknown-arch.yaml:9:14",
    "unknown-base": "unknown-base.yaml:10:5",
    "unknown-kernel-flavor": "unknown-kernel-flavor.yaml:7:21",
    "unknown-key-package": "unknown-key-package.yaml:7:5",
    "unknown-key-top": "unknown-key-top.yaml:3:1",
    "unknown-package-ref": "unknown-package-ref.yaml:7:15",
    "unknown-template-variable": "unknown-template-variable.yaml:4:5",
    "unknown-version-scheme": "unknown-version-scheme.yaml:5:5",
    "unknown-yaml-tag": "unknown-yaml-tag.yaml:4:9",
    "uppercase-deb-name": "uppercase-deb-name.yaml:4:5",
    "version-form-missing": "version-form-missing.yaml:4:3",
}


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 50
    assert {case.stem for case in CASES} == set(LOCATIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_broken_model_gives_one_precise_error(case: Path) -> None:
    header = EXPECT.match(case.read_text().splitlines()[0])
    assert header, f"{case.name} lacks its '# expect: PATH :: MESSAGE' line"
    with pytest.raises(ModelErrors) as caught:
        load_release(case, MODELS)
    errors = caught.value.errors
    assert len(errors) == 1, "\n".join(map(str, errors))
    (error,) = errors
    mark = error.mark
    assert f"{mark.file.relative_to(BROKEN)}:{mark.line}:{mark.column}" == LOCATIONS[case.stem]
    assert format_path(error.path) == header["path"]
    assert header["message"] in error.message


@pytest.mark.parametrize("case", CASES[:5], ids=lambda p: p.stem)
def test_cli_reports_broken_model_in_one_line_and_exits_2(case: Path) -> None:
    result = CliRunner().invoke(
        app, ["validate", str(case)], env={"REPOGEN_MODEL_ROOT": str(MODELS)}
    )
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ")
    assert f"{BROKEN.name}/{LOCATIONS[case.stem]}: " in first
    assert "Traceback" not in result.output


GENERATED = {
    "huge": ("# padding\n" * 500_000, "1:1", "over the 4194304-byte limit"),
    "deep-flow": ("release: " + "[" * 5000 + "]" * 5000 + "\n", "1:1", "nesting deeper than 64"),
    "deep-block": (
        "release:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)),
        "66:",
        "nesting deeper than 64",
    ),
    "not-utf8": ("release: \udcff\n", "1:1", "cannot read"),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_hostile_files_give_one_error_and_exit_2(name: str, tmp_path: Path) -> None:
    text, where, message = GENERATED[name]
    model = tmp_path / f"{name}.yaml"
    model.write_bytes(text.encode("utf-8", "surrogateescape"))
    result = CliRunner().invoke(app, ["validate", str(model)])
    assert result.exit_code == 2
    (line, total) = result.stderr.splitlines()
    assert line.startswith(f"error: {model}:{where}")
    assert message in line
    assert total == "1 error(s) in the model"
