"""The ledger of dnf's module scenarios adds up: each is translated or skipped with a reason,
never both, and none is left out."""

from __future__ import annotations

from .dnf_module_scenarios import ledger


def test_every_scenario_is_translated_or_skipped_once() -> None:
    found = ledger()
    skipped = {scenario for scenario, _ in found.untranslated}
    assert set(found.translated).isdisjoint(skipped)
    assert len(found.translated) + len(found.untranslated) == found.scenarios
    assert all(reason for _, reason in found.untranslated)


def test_scenarios_are_named_by_their_feature() -> None:
    found = ledger()
    for scenario in [*found.translated, *(scenario for scenario, _ in found.untranslated)]:
        feature, _, title = scenario.partition(": ")
        assert feature.endswith(".feature"), scenario
        assert title, scenario


def test_most_scenarios_are_translated() -> None:
    found = ledger()
    assert len(found.translated) >= 130
