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

import createrepo_c as cr

from repogen.families.rpm.modulemd import modules_yaml
from repogen.families.rpm.repository import RpmFamilyPublisher
from repogen.families.rpm.rpmmd import Record, nevra
from repogen.model import Family, Repository
from repogen.publish.base import BuildError, BuildOptions


class RpmPublisher(RpmFamilyPublisher):
    family: ClassVar[Family] = Family.RPM

    def extra_records(
        self,
        repository: Repository,
        records: Sequence[cr.Package],
        options: BuildOptions,
        license: str,
    ) -> Sequence[Record]:
        """``modules``: the target's module streams and defaults, on modular targets."""
        if not repository.modules:
            return ()
        platform = repository.target.platform
        if platform is None:
            raise BuildError(f"{repository.target_name}: a modular target needs a platform")
        text = modules_yaml(
            repository.modules,
            platform,
            repository.package_arch,
            {record.name: nevra(record) for record in records},
            license,
            options.source_date_epoch,
        )
        return (Record("modules", "modules.yaml", text.encode()),)


PUBLISHER = RpmPublisher()
