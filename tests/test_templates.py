"""Template filling: plain ``{name}`` fields only, braces escaped by doubling."""

from __future__ import annotations

import pytest

from repogen.model.templates import TemplateError, fill

VARIABLES = {"branch": "560", "kernel_suffix": "-azure"}


@pytest.mark.parametrize(
    ("template", "filled"),
    [
        ("nvidia-open-{branch}{kernel_suffix}", "nvidia-open-560-azure"),
        ("no fields", "no fields"),
        ("{{branch}} is {branch}", "{branch} is 560"),
        ("{{}}", "{}"),
        ("", ""),
    ],
)
def test_fill(template: str, filled: str) -> None:
    assert fill(template, VARIABLES) == filled


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{cuda}", "unknown template variable {cuda} (known: branch, kernel_suffix)"),
        ("{branch:>5}", "unknown template variable {branch}"),
        ("{branch!r}", "unknown template variable {branch}"),
        ("{branch.real}", "unknown template variable {branch.real}"),
        ("{branch[0]}", "unknown template variable {branch[0]}"),
        ("{}", "unknown template variable {}"),
        ("{0}", "unknown template variable {0}"),
        ("{branch", "malformed template '{branch'"),
        ("}", "malformed template '}'"),
    ],
)
def test_fill_refuses(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as error:
        fill(template, VARIABLES)
    assert str(error.value).startswith(message)
