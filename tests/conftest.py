from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from repogen.data import bundled
from repogen.engine.real import RealEngine
from repogen.model import ReleaseModel, load_release

ROOT = Path(__file__).resolve().parent.parent
RELEASES = bundled("releases")
MODELS = Path(__file__).resolve().parent / "models"


@pytest.fixture(scope="session")
def release_12_5() -> ReleaseModel:
    return load_release(RELEASES / "cuda-12.5.yaml")


@pytest.fixture(scope="session")
def release_12_6() -> ReleaseModel:
    return load_release(RELEASES / "cuda-12.6.yaml")


@pytest.fixture(scope="session")
def real_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealEngine]:
    """One real engine for the session: its publications and sandboxes are reused."""
    with RealEngine(tmp_path_factory.mktemp("engine")) as engine:
        yield engine
