"""dnf command lines: the forms the resolver models parse, the others are refused as not
modelled rather than answered wrongly (dnf installs ``node*`` where the resolver would find
no package named so)."""

from __future__ import annotations

import pytest

from repogen.resolve.request import Action, RequestError, parse_request

PARSED = [
    ("dnf install nodejs", Action.INSTALL, ("nodejs",)),
    ("dnf install 'postgresql(x86-64)'", Action.INSTALL, ("postgresql(x86-64)",)),
    ("dnf module install nodejs", Action.MODULE_INSTALL, ("nodejs",)),
    ("dnf module install nodejs:8/minimal", Action.MODULE_INSTALL, ("nodejs:8/minimal",)),
    ("dnf module enable nodejs:8", Action.MODULE_ENABLE, ("nodejs:8",)),
    ("dnf module switch-to nodejs:10", Action.MODULE_SWITCH, ("nodejs:10",)),
]

REFUSED = [
    ("dnf install 'node*'", "glob"),
    ("dnf install 'nodejs-[0-9]*'", "glob"),
    ("dnf install @nodejs:8", "is not modelled"),
    ("dnf module install 'node*'", "module glob"),
    ("dnf module install 'nodejs/*'", "module glob"),
    ("dnf module enable 'nodejs:1?'", "module glob"),
    ("dnf module install nodejs:8:20180801080000", "version or context"),
    ("dnf module install nodejs:8:20180801080000:6c81f848/minimal", "version or context"),
    ("dnf module enable nodejs:8:20180801080000:6c81f848:x86_64", "version or context"),
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
