"""The rpm family: rpm-md repositories for dnf, with the ``nvidia-driver`` module streams.

Per target and architecture, ``<out>/rpm/<target>/<arch>/`` holds ``SPECS/`` (the rendered
specs), ``Packages/`` (the built packages) and ``repodata/`` (primary, filelists, other and,
on modular targets, ``modules``).  Non-modular packages such as ``nvidia-open`` sit beside the
module artifacts: dnf hides them while a stream is active unless the repository has
``module_hotfixes=1`` (nvidia-packaging.md §3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from repogen.families.rpm.channel_modules import merged_modules
from repogen.families.rpm.modulemd import modules_yaml
from repogen.families.rpm.repository import RpmFamilyPublisher
from repogen.families.rpm.rpmmd import Record
from repogen.model import Family, Repository
from repogen.model.declarations import Release
from repogen.publish.base import BuildError, BuildOptions


class RpmPublisher(RpmFamilyPublisher):
    family: ClassVar[Family] = Family.RPM

    def extra_records(
        self, release: Release, repository: Repository, options: BuildOptions, license: str
    ) -> Sequence[Record]:
        """``modules``: the target's module streams and defaults, on modular targets, made
        as NVIDIA's generator makes them (:mod:`~repogen.families.rpm.channel_modules`), for
        one release as for a repository holding several."""
        if not repository.modules:
            return ()
        platform = repository.target.platform
        if platform is None:
            raise BuildError(f"{repository.target_name}: a modular target needs a platform")
        text = modules_yaml(
            merged_modules(((release, repository),)),
            platform,
            repository.package_arch,
            license,
            options.source_date_epoch,
        )
        return (Record("modules", "modules.yaml", text.encode()),)


PUBLISHER = RpmPublisher()
