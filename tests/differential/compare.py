"""What conformance compares between two resolutions of one request."""

from __future__ import annotations

from repogen.resolve.result import PackageRef, Resolution


def _keys(refs: tuple[PackageRef, ...]) -> list[str]:
    return sorted(f"{ref.name}={ref.version}" for ref in refs)


def differences(in_process: Resolution, real: Resolution) -> list[str]:
    """How *real* differs from *in_process*: whether the request succeeds, and if so the
    packages installed, upgraded and removed (names and versions), the module streams
    enabled and the modules disabled.  Empty when they agree."""
    if in_process.ok != real.ok:
        problems = " ".join(real.problems or in_process.problems)
        return [f"ok: in-process {in_process.ok}, real {real.ok} ({problems})"]
    found = []
    for field in ("install", "upgrade", "remove"):
        mine, theirs = _keys(getattr(in_process, field)), _keys(getattr(real, field))
        if mine != theirs:
            found.append(f"{field}: in-process {mine}, real {theirs}")
    for field in ("modules", "disabled"):
        mine, theirs = sorted(getattr(in_process, field)), sorted(getattr(real, field))
        if mine != theirs:
            found.append(f"{field}: in-process {mine}, real {theirs}")
    return found
