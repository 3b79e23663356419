"""The data an installed repogen reads at run time, shipped inside the package.

The bundled channel and its release models (``releases/``), the assertions they name
(``assertions/``), the RPM spec template (``templates/rpm/``) and the sample of NVIDIA's
``supported-gpus.json`` are package data, so that ``pip install .`` and ``pipx install .``
give a repogen that works from any directory, not only from its checkout.  Test-only data
stays in the checkout's ``fixtures/`` and ``tests/``.

Every reader of bundled data finds it through :func:`bundled`, here and nowhere else.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

#: This package's directory.  pip and pipx install wheels unpacked, never zipped, so the data
#: are real files that the YAML loader, glob and Jinja's file loader can open by path.
_ROOT = Path(str(files(__name__)))


def bundled(*parts: str) -> Path:
    """The bundled file or directory at *parts* below ``repogen/data``."""
    return _ROOT.joinpath(*parts)


#: The model a command works on when none is given: the bundled channel, NVIDIA's CUDA
#: repositories from CUDA 12.4.1 to driver 565.57.01 (a channel's newest point unless --at).
DEFAULT_MODEL = bundled("releases", "nvidia.yaml")
#: The sample of NVIDIA's supported-gpus.json that `repogen recommend` reads by default.
SUPPORTED_GPUS = bundled("supported-gpus.json")
#: The RPM spec templates.
RPM_TEMPLATES = bundled("templates", "rpm")
