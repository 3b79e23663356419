"""Test helper: a modules.yaml text checked by libmodulemd's own modulemd-validator."""

from __future__ import annotations

import subprocess
from pathlib import Path


def assert_valid_modules_yaml(text: str, directory: Path) -> None:
    """Write *text* to ``modules.yaml`` in *directory* and fail, with the validator's output,
    unless modulemd-validator accepts it."""
    path = directory / "modules.yaml"
    path.write_text(text)
    result = subprocess.run(
        ["modulemd-validator", str(path)], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
