"""dnf 4's ``module_obsoletes=True``: libdnf's ``ModulePackageContainer::applyObsoletes``.

Before the modules are solved, in every command, each build of an enabled stream is looked up
in the repositories' merged metadata, and the obsoletes libmodulemd associates with it
(``modulemd_module_stream_v2_get_obsoletes_resolved``: the newest active document of its
stream, for its context or for every context; none when that one is a ``reset``) applies:
its ``obsoleted_by`` stream is enabled (unless that module is disabled) and, of another
module, the obsoleted module is reset; without ``obsoleted_by`` the module is reset.  Which
document is newest and active (an ``eol_date`` not in the future) is libmodulemd's own
answer: the builds and documents are put into a ``Modulemd.ModuleIndex`` and merged as libdnf
merges the repositories' metadata (``ModuleIndexMerger``: a single index associates an
obsoletes with a stream by the order the documents come in, the merged one by date), and
asked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from repogen.families.rpm.module_solver import MODEL_BUILD
from repogen.families.rpm.module_specs import matching
from repogen.families.rpm.modulemd import Modulemd, obsoletes_document
from repogen.model import ModuleSpec
from repogen.resolve.request import Action, Request
from repogen.resolve.result import Resolution
from repogen.resolve.universe import Universe


def _index(modules: Collection[ModuleSpec]) -> Modulemd.ModuleIndex:
    """The modules' obsoletes documents and a document per build (name, stream, version,
    context: what libmodulemd associates obsoletes by)."""
    index = Modulemd.ModuleIndex.new()
    for module in modules:
        for obsoletes in module.obsoletes:
            index.add_obsoletes(obsoletes_document(module.name, obsoletes))
    for module in modules:
        for stream in module.streams:
            for build in stream.builds or (MODEL_BUILD,):
                document = Modulemd.ModuleStreamV2.new(module.name, stream.name)
                document.set_version(build.version)
                document.set_context(build.context or "model")
                document.set_summary(module.summary or module.name)
                document.set_description(module.description or module.name)
                document.add_module_license("MIT")
                index.add_module_stream(document)
    merger = Modulemd.ModuleIndexMerger.new()
    merger.associate_index(index, 0)
    merged: Modulemd.ModuleIndex = merger.resolve()
    return merged


def apply_obsoletes(
    modules: Collection[ModuleSpec], enabled: Mapping[str, str], disabled: Collection[str]
) -> tuple[dict[str, str], tuple[str, ...], tuple[str, ...]]:
    """The enabled streams (module → stream) once the obsoletes of *modules* applied to
    *enabled*, the streams (``M:S``) they enabled and the modules they reset."""
    result = dict(enabled)
    if not any(module.obsoletes for module in modules):
        return result, (), ()
    index = _index(modules)
    switched: list[str] = []
    reset: list[str] = []
    for module in modules:
        stream = result.get(module.name)  # libdnf asks the state as it changes
        if stream is None or module.stream(stream) is None:
            continue
        for document in index.get_module(module.name).get_all_streams():
            if result.get(module.name) != stream:
                break  # switched or reset by an earlier build: the others are not enabled
            if document.get_stream_name() != stream:
                continue
            obsoletes = document.get_obsoletes_resolved()
            if obsoletes is None:
                continue
            by_module = obsoletes.get_obsoleted_by_module_name()
            by_stream = obsoletes.get_obsoleted_by_module_stream()
            if by_module and by_stream:
                if by_module in disabled:
                    continue  # libdnf only logs that the target module is disabled
                if result.get(by_module) != by_stream:
                    result[by_module] = by_stream
                    switched.append(f"{by_module}:{by_stream}")
                if by_module == module.name:
                    continue
            if result.get(module.name) == stream:
                del result[module.name]
                reset.append(module.name)
    kept = [s for s in switched if result.get(s.partition(":")[0]) == s.partition(":")[2]]
    return result, tuple(kept), tuple(reset)


def with_obsoletes(universe: Universe, request: Request) -> Universe | None:
    """*universe* with the machine's module state once obsoletes applied (a reset or
    switched module forgets its installed profiles), or None when *request* does not set
    ``module_obsoletes`` or no obsoletes applies."""
    if not request.module_obsoletes:
        return None
    installed = universe.installed
    streams, switched, reset = apply_obsoletes(
        universe.modules, installed.streams, installed.disabled
    )
    if not switched and not reset:
        return None
    changed = {*reset, *(s.partition(":")[0] for s in switched)}
    profiles = {m: p for m, p in installed.profiles.items() if m not in changed}
    return replace(universe, installed=replace(installed, streams=streams, profiles=profiles))


def after_obsoletes(
    universe: Universe, obsoleted: Universe, request: Request, resolution: Resolution
) -> Resolution:
    """The *resolution* of *request* on the *obsoleted* state, as dnf reports it against the
    machine's state in *universe*: a module's change is from its stream before the command
    (``getSwitchedStreams``), and a module whose enabled stream ends other than it was is
    refused unless ``module_stream_switch`` (``BaseCli.do_transaction``; ``switch-to`` sets it)."""
    if not resolution.ok:
        return resolution
    final = dict(obsoleted.installed.streams)
    for enabled in resolution.modules:
        module, _, stream = enabled.partition(":")
        final[module] = stream
    if request.action in {Action.MODULE_RESET, Action.MODULE_DISABLE}:
        for spec in request.names:
            for module in matching(universe.modules, spec, universe.arch):
                final.pop(module, None)
    before = universe.installed.streams
    switching = request.module_stream_switch or request.action is Action.MODULE_SWITCH
    for module, stream in sorted(final.items()):
        if before.get(module) not in (None, stream) and not switching:
            return Resolution(
                ok=False,
                problems=(
                    f"The operation would result in switching of module '{module}' stream "
                    f"'{before[module]}' to stream '{stream}'",
                    "Error: It is not possible to switch enabled streams of a module unless "
                    "explicitly enabled via configuration option module_stream_switch.",
                ),
            )
    changes = sorted(f"{m}:{s}" for m, s in final.items() if before.get(m) != s)
    return replace(resolution, modules=tuple(changes))
