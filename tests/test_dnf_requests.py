"""dnf command lines: the forms the resolver models parse (module arguments in every NSVCAP
form, globs included; ``install @M``; ``module disable|remove|update``), the others are
refused as not modelled rather than answered wrongly (dnf installs ``node*`` where the
resolver would find no package named so)."""

from __future__ import annotations

import pytest

from repogen.families.rpm.module_specs import Nsvcap
from repogen.resolve.request import Action, RequestError, parse_request

PARSED = [
    ("dnf install nodejs", Action.INSTALL, ("nodejs",)),
    ("dnf install 'postgresql(x86-64)'", Action.INSTALL, ("postgresql(x86-64)",)),
    ("dnf install @nodejs:8/minimal", Action.MODULE_INSTALL, ("nodejs:8/minimal",)),
    ("dnf module install nodejs", Action.MODULE_INSTALL, ("nodejs",)),
    ("dnf module install nodejs:8/minimal", Action.MODULE_INSTALL, ("nodejs:8/minimal",)),
    ("dnf module install 'node*'", Action.MODULE_INSTALL, ("node*",)),
    ("dnf module install 'nodejs/*'", Action.MODULE_INSTALL, ("nodejs/*",)),
    (
        "dnf module install nodejs:8:2018:6c81f848",
        Action.MODULE_INSTALL,
        ("nodejs:8:2018:6c81f848",),
    ),
    ("dnf module enable nodejs:8", Action.MODULE_ENABLE, ("nodejs:8",)),
    ("dnf module switch-to nodejs:10", Action.MODULE_SWITCH, ("nodejs:10",)),
    ("dnf module disable nodejs", Action.MODULE_DISABLE, ("nodejs",)),
    ("dnf module remove nodejs/default", Action.MODULE_REMOVE, ("nodejs/default",)),
    ("dnf module erase nodejs", Action.MODULE_REMOVE, ("nodejs",)),
    ("dnf module update nodejs", Action.MODULE_UPDATE, ("nodejs",)),
]

REFUSED = [
    ("dnf install 'node*'", "glob"),
    ("dnf install 'nodejs-[0-9]*'", "glob"),
    ("dnf install @nodejs:8 npm", "together with packages"),
    ("dnf module install --all nodejs", "--all"),
]


@pytest.mark.parametrize(("command", "action", "names"), PARSED)
def test_modelled_forms_parse(command: str, action: Action, names: tuple[str, ...]) -> None:
    request = parse_request(command)
    assert (request.action, request.names) == (action, names)


@pytest.mark.parametrize(("command", "said"), REFUSED)
def test_unmodelled_forms_are_refused(command: str, said: str) -> None:
    with pytest.raises(RequestError, match="not modelled") as raised:
        parse_request(command)
    assert said in str(raised.value)


def test_options_that_decide_a_module_command_are_kept() -> None:
    switch = parse_request("dnf --setopt=module_stream_switch=True module install nodejs:10")
    assert switch.module_stream_switch
    assert parse_request("dnf module remove --all nodejs").remove_all
    assert not parse_request("dnf module install nodejs:10").module_stream_switch


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("nodejs", ("nodejs", None, None, None, None, None)),
        ("nodejs:8/minimal", ("nodejs", "8", None, None, None, "minimal")),
        ("nodejs:8:20180801080000", ("nodejs", "8", "20180801080000", None, None, None)),
        ("nodejs:8:1:6c81f848:x86_64/d*", ("nodejs", "8", "1", "6c81f848", "x86_64", "d*")),
        ("nodejs:8:1:6c81f848::x86_64", ("nodejs", "8", "1", "6c81f848", "x86_64", None)),
        ("nodejs:8::x86_64", ("nodejs", "8", None, None, "x86_64", None)),
        ("nodejs::x86*", ("nodejs", None, None, None, "x86*", None)),
        ("node*:*:*0801*", ("node*", "*", "*0801*", None, None, None)),
    ],
)
def test_module_arguments_split_into_nsvcap(spec: str, parts: tuple[str | None, ...]) -> None:
    n = Nsvcap.parse(spec)
    assert (n.name, n.stream, n.version, n.context, n.arch, n.profile) == parts
