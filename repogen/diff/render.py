"""The diff as a terminal report (rich text, coloured only on a terminal) and as markdown for a
pull-request comment.  Pure functions: a :class:`ReleaseDiff` in, text out."""

from __future__ import annotations

from rich.text import Text

from repogen.diff.lines import Line, groups, request_text, upgrade_summary
from repogen.diff.result import ReleaseDiff, Status

_STYLES = {
    "+": "green",
    "-": "red",
    "~": "yellow",
    "!": "bold red",
    "=": "magenta",
    " ": "bold cyan",
}
_ONLY_IN = {Status.ADDED: "only in the new release", Status.REMOVED: "only in the old release"}


def _title(diff: ReleaseDiff) -> str:
    counts = {s: sum(r.status is s for r in diff.repositories) for s in Status}
    shown = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    return f"repogen diff: {diff.old} → {diff.new} ({shown or 'no repositories'})"


def _unchanged(diff: ReleaseDiff) -> str:
    names = [f"{r.target}/{r.arch}" for r in diff.repositories if r.status is Status.UNCHANGED]
    return f"unchanged: {', '.join(names)}" if names else ""


def _terminal_line(line: Line) -> Text:
    indent = "  " * (line.depth + 1)
    if line.mark == " ":
        return Text(f"{indent}{line.text}", style=_STYLES[" "])
    return Text(f"{indent}{line.mark} {line.text}", style=_STYLES[line.mark])


def terminal(diff: ReleaseDiff) -> list[Text]:
    """The report, one rich Text per line (styles show on a terminal only)."""
    out = [Text(_title(diff), style="bold")]
    for group in groups(diff.repositories):
        out.append(Text(""))
        if group.status in _ONLY_IN:
            mark = "+" if group.status is Status.ADDED else "-"
            text = f"{mark} {group.heading}: {_ONLY_IN[group.status]}"
            out.append(Text(text, style=_STYLES[mark]))
            continue
        out.append(Text(group.heading, style="bold"))
        out += [_terminal_line(line) for line in group.lines]
    if unchanged := _unchanged(diff):
        out += [Text(""), Text(unchanged, style="dim")]
    return out


def _code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


def _resolution_table(diff: ReleaseDiff) -> list[str]:
    """One row per distinct resolution change, naming every repository that shows it."""
    rows: dict[tuple[str, str, str], list[str]] = {}
    for repository in diff.repositories:
        for change in repository.resolutions:
            key = (request_text(change), change.old.summary(), change.new.summary())
            rows.setdefault(key, []).append(f"{repository.target}/{repository.arch}")
    return _table(
        "Resolution changes",
        ("request", "repositories", "before", "after"),
        [
            (_code(request), ", ".join(where), _code(before), _code(after))
            for (request, before, after), where in sorted(rows.items())
        ],
    )


def _table(title: str, columns: tuple[str, ...], cells: list[tuple[str, ...]]) -> list[str]:
    """A markdown table under a heading, or nothing without rows."""
    if not cells:
        return []
    lines = [f"#### {title}", "", _row(columns), "|" + "---|" * len(columns)]
    return [*lines, *(_row(row) for row in cells), ""]


def _row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def _upgrade_table(diff: ReleaseDiff) -> list[str]:
    """One row per distinct upgrade of an installed machine that changes something, in a
    changed repository, naming every repository that shows it."""
    rows: dict[tuple[str, str, str], list[str]] = {}
    for repository in diff.repositories:
        if repository.status is Status.UNCHANGED:
            continue
        for upgrade in repository.upgrades:
            if upgrade.changes:
                key = (upgrade.installed, upgrade.request, upgrade_summary(upgrade))
                rows.setdefault(key, []).append(f"{repository.target}/{repository.arch}")
    return _table(
        "Upgrades of installed machines",
        ("installed by", "upgrade", "repositories", "what it does"),
        [
            (_code(installed), _code(request), ", ".join(where), summary)
            for (installed, request, summary), where in sorted(rows.items())
        ],
    )


def markdown(diff: ReleaseDiff) -> str:
    """The report as GitHub markdown: tables of resolution changes and of upgrades, then each
    group of repositories in a collapsed ``diff`` block (GitHub colours its + and - lines)."""
    lines = [f"### {_title(diff)}", "", *_resolution_table(diff), *_upgrade_table(diff)]
    for group in groups(diff.repositories):
        if group.status in _ONLY_IN:
            lines += [f"- **{group.heading}**: {_ONLY_IN[group.status]}", ""]
            continue
        lines += [
            f"<details><summary><b>{group.heading}</b></summary>",
            "",
            "```diff",
            *(f"{line.mark} {'  ' * line.depth}{line.text}".rstrip() for line in group.lines),
            "```",
            "</details>",
            "",
        ]
    if unchanged := _unchanged(diff):
        lines += [unchanged, ""]
    return "\n".join(lines)
