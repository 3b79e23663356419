"""The translated peer scenarios (``fixtures/resolver-cases/peers/*.yaml``), loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from repogen.model import Family
from repogen.resolve.request import RequestError, parse_request

from ..resolver_cases import CASES, Case, case_of

PEERS = CASES / "peers"
#: The rules whose facts are package fields the resolver cases do not load yet.
_FIELDS = {"upgrade-by-source": ("source",), "essential-protected": ("essential", "protected")}


@dataclass(frozen=True)
class PeerCase:
    """One translated scenario step.  Its request is parsed when the case is built, so that
    a step needing a command repogen does not parse yet (``needs``) still loads."""

    suite: str
    family: Family
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def needs(self) -> str | None:
        """The rule, brought by another change, the step is pending on."""
        return self.data.get("needs")

    def case(self) -> Case:
        return case_of(self.family, self.data)

    def runs_for_real(self) -> bool:
        """Whether the real client can be given the step as the upstream test has it: repogen
        parses its request (a pending rule may bring the command), and the rule it pends on
        does not rest on a field the published repository cannot carry yet (``Source``,
        ``Essential``, ``Protected``: recorded in the case, not loaded)."""
        try:
            parse_request(self.data["request"])
        except RequestError:
            return False
        packages = [*self.data["packages"], *self.data.get("installed", ())]
        rules = set((self.needs or "").split(", "))
        return not any(
            field in package
            for rule in rules
            for field in _FIELDS.get(rule, ())
            for package in packages
        )


def _document(file: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(file.read_text())
    return document


def peer_cases() -> list[PeerCase]:
    return [
        PeerCase(file.stem, Family(data.get("family", document["family"])), data)
        for file in sorted(PEERS.glob("*.yaml"))
        for document in [_document(file)]
        for data in document["cases"]
    ]


def peer_skips() -> dict[str, list[dict[str, str]]]:
    """Each suite's skipped steps, with the reason."""
    return {file.stem: _document(file)["skipped"] for file in sorted(PEERS.glob("*.yaml"))}
