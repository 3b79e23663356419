"""The translated peer scenarios (``fixtures/resolver-cases/peers/*.yaml``), loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from repogen.model import Family

from ..resolver_cases import CASES, Case, case_of

PEERS = CASES / "peers"


@dataclass(frozen=True)
class PeerCase:
    """One translated scenario step."""

    suite: str
    family: Family
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.data["name"])

    def case(self) -> Case:
        return case_of(self.family, self.data)


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
