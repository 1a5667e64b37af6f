"""The places of a project: its private directory, and the directories its builds publish to,
where nothing else may ever be written (letters, exports, sheets) and which a build replaces
whole (so never the project, its records or its keys)."""

from __future__ import annotations

import json
from pathlib import Path

from .disk import write_atomically
from .errors import LocatedError, Problem, UsageError


def remember_output(state: Path, site_dir: Path) -> None:
    """Record a directory a build has written, so that nothing else is ever written into it (letters)."""
    outputs = output_dirs(state)
    if str(site_dir.resolve()) not in outputs:
        write_atomically(
            state / "outputs.json", json.dumps(sorted(outputs | {str(site_dir.resolve())})).encode(), private=True
        )


def output_dirs(state: Path) -> set[str]:
    """Every directory a build of this project has written its site into."""
    try:
        found = json.loads((state / "outputs.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {str(p) for p in found} if isinstance(found, list) else set()


def check_site_dir(root: Path, site_dir: Path, in_place: bool = False) -> None:
    """Refuse an output directory the build would wreck: it replaces the directory whole, so
    never the project, a directory holding it, or one of its records, pages, theme or keys;
    nor a directory of something else (not empty, not a site this project or amentor built)."""
    try:
        site, project = site_dir.resolve(), root.resolve()
    except (RuntimeError, OSError) as exc:  # a link that leads back to itself (Python 3.11 raises RuntimeError)
        raise UsageError(f"-d {site_dir}: cannot be followed ({exc}); remove the symbolic link") from exc
    if project.is_relative_to(site):
        raise UsageError(f"-d {site_dir}: the site would replace the project itself; choose a directory of its own")
    for kept in ("pupils", "content", "theme", "frozen", ".amentor", "letters"):
        if site.is_relative_to((root / kept).resolve()):
            raise UsageError(f"-d {site_dir}: that is inside {kept}/, which the site must not replace")
    try:
        default = {str((root / "site").resolve())}
    except (RuntimeError, OSError):  # site/ a link to itself: not where this build writes (-d), so no matter
        default = set()
    for other in sorted(default | output_dirs(state_dir(root))):
        published = Path(other)
        beside = site.parent == published.parent and site.name.startswith(f".{published.name}.")
        if site != published and (site.is_relative_to(published) or beside):  # .site.spare, site/sub
            raise UsageError(
                f"-d {site_dir}: that is inside or beside {published}, another output of this project, "
                "which a build of it replaces whole; choose a directory of its own"
            )
    if in_place or not site.is_dir() or str(site) in output_dirs(state_dir(root)):
        return
    entries = {p.name for p in site.iterdir()}
    if entries and not entries & {"index.html", "k", "f"}:
        raise UsageError(
            f"-d {site_dir}: the directory holds other files ({', '.join(sorted(entries)[:3])}...); "
            "a build replaces its output directory whole. Choose an empty or new directory"
        )


def refuse_published(root: Path, path: Path, what: str) -> None:
    """Refuse to write `what` (letters, an export) anywhere that is published: a site built from
    this project (site/ or any -d directory), content/ or theme/."""
    forbidden = {root / "site", root / "content", root / "theme"} | {Path(p) for p in output_dirs(state_dir(root))}
    place = path.resolve()
    for published in sorted(forbidden):
        site = published.resolve()
        if place.is_relative_to(site):
            raise said_at(
                root,
                path,
                f"refusing to write {what} here: it is inside {shown(root, published)}/, which is published. "
                "Choose a place outside the site, content/ and theme/",
            )
        beside = next(
            (d for d in (place, *place.parents) if d.parent == site.parent and d.name.startswith(f".{site.name}.")),
            None,
        )
        if beside is not None:  # .site.spare, .site.new-*: what a build of the site keeps beside it, and replaces
            raise said_at(
                root,
                path,
                f"refusing to write {what} here: it is inside {shown(root, beside)}/, which a build of "
                f"{shown(root, published)}/ keeps beside it and replaces. Choose a place outside the site, content/ and theme/",
            )


def refuse_records(root: Path, path: Path, what: str, why: str) -> None:
    """Refuse to write `what` among the project's records or state (pupils/, frozen/, .amentor/):
    a child's retention copy takes their whole directory, a frozen year its every file, and the
    records go into version control. why: what makes it matter for this file."""
    kept = [(root / name).resolve() for name in ("pupils", "frozen", ".amentor")]  # a linked pupils/ too
    if any(path.resolve().is_relative_to(place) for place in kept):
        raise said_at(
            root,
            path,
            f"refusing to write {what} here: it is among the project's records or state, and {why}. "
            "Choose a place outside pupils/, frozen/ and .amentor/",
        )


def refuse_nowhere(root: Path, path: Path) -> None:
    """Refuse a file to be written into a directory that does not exist (a mistyped folder: the
    records of a child or a class would go somewhere nobody looks), or over a directory."""
    if not path.parent.is_dir():
        why = "is not a directory" if path.parent.exists() else "does not exist"
        raise said_at(root, path, f"cannot write here: {shown(root, path.parent)} {why}")
    if path.is_dir():
        raise said_at(root, path, "cannot write here: it is a directory")


def said_at(root: Path, path: Path, message: str) -> LocatedError:
    """A place amentor will not write to, said at that place as `path:1:1: message` (the path
    relative to the project where it lies in it, as every path amentor names)."""
    return LocatedError(Problem(shown(root, path), 1, 1, message))


def shown(root: Path, path: Path) -> str:
    """A path as amentor names it: relative to the project where it lies in it (the project's own
    folder by its whole path)."""
    place, project = path.resolve(), root.resolve()
    return place.relative_to(project).as_posix() if place.is_relative_to(project) and place != project else str(place)


def state_dir(root: Path) -> Path:
    """The project's private directory: keystore and caches, never published."""
    return root / ".amentor"


def bags_dir(root: Path) -> Path:
    """Where an export makes its retention copy (a bag of a child's records), one directory per
    export's process: in the private directory, never the system's temporary one."""
    return state_dir(root) / "bags"
