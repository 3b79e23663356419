"""The diff as JSON for CI (``repogen diff --format json``).

Top level: ``old`` and ``new`` (release names), ``changed`` (bool), ``repositories`` (every
repository compared, sorted by target and arch).  Each repository:

- ``target``, ``arch``, ``family``; ``status``: ``changed``, ``unchanged``, ``added`` (only in
  the new release) or ``removed`` (only in the old one);
- ``packages``: ``added`` and ``removed`` (``{name, version}``), ``renamed`` (``{old, new,
  old_version, new_version, link}``, link ``replaces``/``obsoletes``/``provides`` or
  ``release`` for a name that follows the release numbers), ``versions`` (``{name, old,
  new}``, same-name packages);
- ``relations``: ``{package, old_package, field, removed, added}`` per changed field, field as
  in the model (``depends``, ``recommends``, ``provides`` …), relations in Debian syntax;
- ``modules``: ``{name, status, default_stream, default_profile, streams, changed_streams}``;
  ``default_*`` are ``{old, new}`` or null, ``streams`` ``{added, removed, renamed: [[old,
  new]]}``, ``changed_streams`` ``{name, old_name, flavor, artifacts, profiles,
  profile_rpms}``;
- ``patterns``, ``kernel_flavors``: ``{added, removed}``;
- ``resolutions``: ``{request, old_request, assertions, old, new, install, remove}``; ``old``
  and ``new`` are ``{ok, flavor, kernel_modules, install, remove, modules, problem}``,
  ``install``/``remove`` the ``{added, removed}`` package names;
- ``regressions``: ``{package, old_package, problem}``.

``upgrades`` (top level): for every repository both releases have, each machine an install
request set up on the old side and each upgrade request run on the new one, changed or not:
``{target, arch, installed, request, ok, gains, loses, upgrades, keeps, held_back}``, plus
``reason`` when the request fails; ``gains``, ``loses`` and ``keeps`` are ``{name, version,
arch}``, ``upgrades`` ``{name, from, to, arch}``, ``held_back`` (kept, with a newer version
untaken) ``{name, version, newer, arch}``.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import ujson

from repogen.diff.result import (
    MachineUpgrade,
    ModuleChange,
    ReleaseDiff,
    RepositoryDiff,
    SetChange,
    StreamChange,
    ValueChange,
)
from repogen.resolve.outcome import Outcome


def _record(value: Any) -> dict[str, Any]:
    """A dataclass of plain values as a dict, field by field (``asdict`` without its deep
    copies, which cost more than the rest of the JSON for tens of thousands of packages)."""
    return {f.name: getattr(value, f.name) for f in fields(value)}


def _set(change: SetChange) -> dict[str, list[str]]:
    return {"added": list(change.added), "removed": list(change.removed)}


def _value(change: ValueChange | None) -> dict[str, str | None] | None:
    return None if change is None else {"old": change.old, "new": change.new}


def _stream(change: StreamChange) -> dict[str, Any]:
    return {
        "name": change.name,
        "old_name": change.old_name,
        "flavor": _value(change.flavor),
        "artifacts": _set(change.artifacts),
        "profiles": _set(change.profiles),
        "profile_rpms": [{"name": p.name, **_set(p.rpms)} for p in change.profile_rpms],
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "ok": outcome.ok,
        "flavor": outcome.flavor.value,
        "kernel_modules": list(outcome.kernel_modules),
        "install": list(outcome.install),
        "remove": list(outcome.remove),
        "modules": list(outcome.modules),
        "problem": outcome.problem,
    }


def _module(change: ModuleChange) -> dict[str, Any]:
    return {
        "name": change.name,
        "status": change.status.value,
        "default_stream": _value(change.default_stream),
        "default_profile": _value(change.default_profile),
        "streams": {**_set(change.streams), "renamed": [list(p) for p in change.renamed_streams]},
        "changed_streams": [_stream(s) for s in change.changed_streams],
    }


def _repository(diff: RepositoryDiff) -> dict[str, Any]:
    return {
        "target": diff.target,
        "arch": diff.arch,
        "family": diff.family.value,
        "status": diff.status.value,
        "packages": {
            "added": [_record(p) for p in diff.added],
            "removed": [_record(p) for p in diff.removed],
            "renamed": [{**_record(r), "link": r.link.value} for r in diff.renamed],
            "versions": [_record(v) for v in diff.versions],
        },
        "relations": [
            {
                "package": change.package,
                "old_package": change.old_package,
                "field": field.kind.value,
                **_set(field.relations),
            }
            for change in diff.relations
            for field in change.fields
        ],
        "modules": [_module(m) for m in diff.modules],
        "patterns": _set(diff.patterns),
        "kernel_flavors": _set(diff.kernel_flavors),
        "resolutions": [
            {
                "request": change.request,
                "old_request": change.old_request,
                "assertions": list(change.assertions),
                "old": _outcome(change.old),
                "new": _outcome(change.new),
                "install": _set(change.install),
                "remove": _set(change.remove),
            }
            for change in diff.resolutions
        ],
        "regressions": [_record(r) for r in diff.regressions],
    }


def _upgrade(diff: RepositoryDiff, upgrade: MachineUpgrade) -> dict[str, Any]:
    data = {
        "target": diff.target,
        "arch": diff.arch,
        "installed": upgrade.installed,
        "request": upgrade.request,
        "ok": upgrade.ok,
        "gains": [_record(p) for p in upgrade.gains],
        "loses": [_record(p) for p in upgrade.loses],
        "upgrades": [
            {"name": s.name, "from": s.old, "to": s.new, "arch": s.arch} for s in upgrade.upgrades
        ],
        "keeps": [_record(p) for p in upgrade.keeps],
        "held_back": [
            {"name": s.name, "version": s.old, "newer": s.new, "arch": s.arch}
            for s in upgrade.held_back
        ],
    }
    return data if upgrade.ok else {**data, "reason": upgrade.reason}


def diff_json(diff: ReleaseDiff) -> dict[str, Any]:
    return {
        "old": diff.old,
        "new": diff.new,
        "changed": diff.changed,
        "repositories": [_repository(r) for r in diff.repositories],
        "upgrades": [_upgrade(r, u) for r in diff.repositories for u in r.upgrades],
    }


def json_text(data: object) -> str:
    """*data* as ``json.dumps(data, indent=2)`` writes it, by ujson's C encoder: the standard
    library indents in Python, which took 0.3 s for two 10,000-package releases."""
    text: str = ujson.dumps(data, indent=2, ensure_ascii=True, escape_forward_slashes=False)
    # DEL is the one character the two escape differently; it can only be inside a string.
    return text.replace("\x7f", "\\u007f")
