"""The upgrade command lines of apt-get/apt, dnf and zypper, as parsed requests (what each
resolves to is in fixtures/resolver-cases/*.yaml)."""

from __future__ import annotations

import pytest

from repogen.resolve.request import Action, RequestError, parse_request


@pytest.mark.parametrize(
    ("text", "action", "names", "new_packages"),
    [
        ("apt-get upgrade", Action.UPGRADE, (), False),
        ("apt upgrade", Action.UPGRADE, (), True),
        ("apt-get upgrade pkg", Action.UPGRADE, ("pkg",), False),
        ("apt-get dist-upgrade", Action.DIST_UPGRADE, (), True),
        ("apt full-upgrade -y", Action.DIST_UPGRADE, (), True),
        ("apt-get install cuda=12.5.1-1", Action.INSTALL, ("cuda=12.5.1-1",), True),
        ("dnf upgrade", Action.UPGRADE, (), True),
        ("dnf update pkg", Action.UPGRADE, ("pkg",), True),
        ("dnf distro-sync", Action.DISTRO_SYNC, (), True),
        ("dnf downgrade pkg", Action.DOWNGRADE, ("pkg",), True),
        ("zypper update", Action.UPGRADE, (), True),
        ("zypper up pkg", Action.UPGRADE, ("pkg",), True),
        ("zypper dup", Action.DIST_UPGRADE, (), True),
    ],
)
def test_upgrade_command_lines(
    text: str, action: Action, names: tuple[str, ...], new_packages: bool
) -> None:
    request = parse_request(text)
    assert (request.action, request.names, request.new_packages) == (action, names, new_packages)
    assert request.upgrades is (action is not Action.INSTALL and action is not Action.DOWNGRADE)


def test_zypper_oldpackage_is_kept() -> None:
    assert parse_request("zypper install --oldpackage pkg=1-1").old_package
    assert not parse_request("zypper install pkg=1-1").old_package


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apt-get install", "expected at least one package name"),
        ("dnf downgrade", "expected at least one package name"),
        ("zypper dup pkg", "takes no package names"),
        ("apt-get autoremove", "'autoremove' is not modelled"),
        ("dnf upgrade-minimal", "'upgrade-minimal' is not modelled"),
    ],
)
def test_upgrade_command_lines_refused(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        parse_request(text)
