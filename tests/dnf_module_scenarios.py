"""How many of dnf's own module scenarios the resolver cases translate, and why the others are
not: ``python -m tests.dnf_module_scenarios`` prints the figures the README reports.

``fixtures/resolver-cases/dnf-modules.yaml`` names, for each case taken from dnf's module
features (ci-dnf-stack), its scenario (``upstream``), and lists every other scenario of those
features under ``upstream: untranslated`` with the reason.  Whether the translated ones agree
with the real dnf is ``tests/test_conformance.py`` (``-k "resolver_case and rpm"``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

FILE = Path(__file__).resolve().parent.parent / "fixtures" / "resolver-cases" / "dnf-modules.yaml"


@dataclass(frozen=True)
class Ledger:
    #: How many scenarios dnf's module features hold.
    scenarios: int
    #: Each translated scenario, with how many cases it became.
    translated: Counter[str]
    #: Each untranslated scenario with its reason (two scenarios of a feature may share a
    #: title).
    untranslated: list[tuple[str, str]]

    def skipped_by_reason(self) -> Counter[str]:
        return Counter(reason for _, reason in self.untranslated)


def ledger(file: Path = FILE) -> Ledger:
    document = yaml.safe_load(file.read_text())
    translated = Counter(case["upstream"] for case in document["cases"] if "upstream" in case)
    untranslated = [
        (scenario, group["reason"])
        for group in document["upstream"]["untranslated"]
        for scenario in group["scenarios"]
    ]
    return Ledger(document["upstream"]["scenarios"], translated, untranslated)


def main() -> None:
    found = ledger()
    print(f"dnf module scenarios: {found.scenarios}")
    print(f"translated: {len(found.translated)} (as {sum(found.translated.values())} cases)")
    print(f"skipped: {len(found.untranslated)}")
    for reason, count in found.skipped_by_reason().most_common():
        print(f"  {count:3}  {reason}")


if __name__ == "__main__":
    main()
