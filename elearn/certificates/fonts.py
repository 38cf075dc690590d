"""Discovery of the system fonts used to render certificates.

The certificate renderer needs a handful of Noto fonts that Debian ships in
``fonts-noto-core`` (Latin/Greek/Cyrillic serif, Arabic), ``fonts-noto-mono`` (the
verification code) and ``fonts-noto-cjk`` (Chinese, as a ``.ttc`` collection). Nothing is bundled
with the application: fonts are looked up by file name in a list of search
directories, by default the standard Debian locations. Extra directories can
be put in front of the defaults with the ``ELEARN_FONT_DIRS`` environment
variable (``os.pathsep``-separated) or by passing ``search_dirs`` explicitly.

A font that cannot be found raises :class:`FontNotFoundError`, whose message
names the Debian package to install.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FONT_DIRS_ENV = "ELEARN_FONT_DIRS"

DEFAULT_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
)

DEBIAN_FONT_PACKAGES = ("fonts-noto-core", "fonts-noto-mono", "fonts-noto-cjk")
INSTALL_HINT = "apt-get install " + " ".join(DEBIAN_FONT_PACKAGES)

_COLLECTION_SUFFIXES = (".ttc", ".otc")


class FontNotFoundError(RuntimeError):
    """A font needed to render a certificate is not installed."""


@dataclass(frozen=True)
class FontCandidate:
    """One file that can provide a font.

    ``face_family`` selects the face inside a font collection (``.ttc``) by its
    family name, e.g. ``"Noto Serif CJK SC"``; it is ignored for single fonts.
    """

    filename: str
    face_family: str | None = None


@dataclass(frozen=True)
class FontSpec:
    """A font role of the certificate and the files that can fill it, best first."""

    key: str
    description: str
    package: str
    candidates: tuple[FontCandidate, ...]


@dataclass(frozen=True)
class FontFile:
    """A font found on disk: file path and face index within a collection."""

    spec_key: str
    path: Path
    index: int = 0

    @property
    def is_collection(self) -> bool:
        return self.path.suffix.lower() in _COLLECTION_SUFFIXES


def _cjk_candidates(weight: str) -> tuple[FontCandidate, ...]:
    return (
        FontCandidate(f"NotoSerifCJK-{weight}.ttc", "Noto Serif CJK SC"),
        FontCandidate(f"NotoSansCJK-{weight}.ttc", "Noto Sans CJK SC"),
        # Other packagings of the same fonts (e.g. upstream region-specific OTFs).
        FontCandidate(f"NotoSerifCJKsc-{weight}.otf"),
        FontCandidate(f"NotoSansCJKsc-{weight}.otf"),
        FontCandidate(f"NotoSerifSC-{weight}.otf"),
        FontCandidate(f"NotoSansSC-{weight}.otf"),
    )


LATIN_REGULAR = FontSpec(
    "latin", "Noto Serif Regular", "fonts-noto-core", (FontCandidate("NotoSerif-Regular.ttf"),)
)
LATIN_BOLD = FontSpec(
    "latin-bold", "Noto Serif Bold", "fonts-noto-core", (FontCandidate("NotoSerif-Bold.ttf"),)
)
MONO_BOLD = FontSpec(
    "mono-bold",
    "Noto Sans Mono Bold",
    "fonts-noto-mono",
    (FontCandidate("NotoSansMono-Bold.ttf"), FontCandidate("NotoMono-Regular.ttf")),
)
ARABIC_REGULAR = FontSpec(
    "arabic",
    "Noto Naskh Arabic Regular",
    "fonts-noto-core",
    (FontCandidate("NotoNaskhArabic-Regular.ttf"), FontCandidate("NotoSansArabic-Regular.ttf")),
)
ARABIC_BOLD = FontSpec(
    "arabic-bold",
    "Noto Naskh Arabic Bold",
    "fonts-noto-core",
    (FontCandidate("NotoNaskhArabic-Bold.ttf"), FontCandidate("NotoSansArabic-Bold.ttf")),
)
CJK_REGULAR = FontSpec(
    "cjk", "Noto Serif CJK SC Regular", "fonts-noto-cjk", _cjk_candidates("Regular")
)
CJK_BOLD = FontSpec("cjk-bold", "Noto Serif CJK SC Bold", "fonts-noto-cjk", _cjk_candidates("Bold"))

# Scripts beyond the six UN languages, for holder names: looked up only when the text
# has characters none of the fonts above cover (regular weight only).
_EXTRA_SCRIPTS = (
    "Hebrew",
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Thai",
    "Lao",
    "Khmer",
    "Myanmar",
    "Tibetan",
    "Georgian",
    "Armenian",
    "Ethiopic",
)
EXTRA_SCRIPT_SPECS: tuple[FontSpec, ...] = tuple(
    FontSpec(
        f"extra-{script.lower()}",
        f"Noto Serif {script}",
        "fonts-noto-core",
        (
            FontCandidate(f"NotoSerif{script}-Regular.ttf"),
            FontCandidate(f"NotoSans{script}-Regular.ttf"),
        ),
    )
    for script in _EXTRA_SCRIPTS
)

ALL_SPECS: tuple[FontSpec, ...] = (
    LATIN_REGULAR,
    LATIN_BOLD,
    MONO_BOLD,
    ARABIC_REGULAR,
    ARABIC_BOLD,
    CJK_REGULAR,
    CJK_BOLD,
)


def font_search_dirs(extra: Iterable[str | os.PathLike[str]] | None = None) -> tuple[Path, ...]:
    """Directories searched for fonts, in order.

    ``extra`` (if given) comes first, then the entries of ``$ELEARN_FONT_DIRS``,
    then :data:`DEFAULT_FONT_DIRS`. Duplicates are dropped.
    """
    dirs: list[str | os.PathLike[str]] = list(extra or ())
    env = os.environ.get(FONT_DIRS_ENV, "")
    dirs.extend(part for part in env.split(os.pathsep) if part.strip())
    dirs.extend(DEFAULT_FONT_DIRS)
    seen: set[Path] = set()
    result: list[Path] = []
    for entry in dirs:
        path = Path(entry).expanduser()
        if path not in seen:
            seen.add(path)
            result.append(path)
    return tuple(result)


@lru_cache(maxsize=256)
def _locate_file(filename: str, search_dirs: tuple[Path, ...]) -> Path | None:
    # Fast path: directly inside one of the directories.
    for directory in search_dirs:
        candidate = directory / filename
        if candidate.is_file():
            return candidate
    # Slow path (cached): anywhere below them, e.g. /usr/share/fonts/opentype/noto.
    for directory in search_dirs:
        if not directory.is_dir():
            continue
        for candidate in sorted(directory.rglob(filename)):
            if candidate.is_file():
                return candidate
    return None


@lru_cache(maxsize=64)
def _collection_face_index(path: Path, family: str) -> int | None:
    from fontTools.ttLib import TTCollection

    with TTCollection(str(path), lazy=True) as collection:
        for index, font in enumerate(collection.fonts):
            name_table = font["name"]
            names = {
                str(name_table.getDebugName(name_id) or "")
                for name_id in (1, 16)  # legacy and typographic family names
            }
            if family in names:
                return index
    return None


def find_font(
    spec: FontSpec, search_dirs: Sequence[str | os.PathLike[str]] | None = None
) -> FontFile:
    """Locate the best installed file for ``spec``.

    Raises :class:`FontNotFoundError` (naming the Debian package) if none is found.
    """
    dirs = font_search_dirs(search_dirs)
    for candidate in spec.candidates:
        path = _locate_file(candidate.filename, dirs)
        if path is None:
            continue
        if path.suffix.lower() in _COLLECTION_SUFFIXES:
            if candidate.face_family is None:
                return FontFile(spec.key, path, 0)
            index = _collection_face_index(path, candidate.face_family)
            if index is None:
                continue
            return FontFile(spec.key, path, index)
        return FontFile(spec.key, path, 0)
    looked_for = ", ".join(c.filename for c in spec.candidates)
    searched = ", ".join(str(d) for d in dirs)
    raise FontNotFoundError(
        f"Certificate font {spec.description!r} is not installed "
        f"(looked for {looked_for} in {searched}). "
        f"Install the Debian package {spec.package} "
        f"(all certificate fonts: {INSTALL_HINT}), "
        f"or point {FONT_DIRS_ENV} at a directory containing one of these files."
    )


def check_fonts(search_dirs: Sequence[str | os.PathLike[str]] | None = None) -> list[FontFile]:
    """Resolve every required certificate font; handy as a start-up or deployment check.

    (The optional :data:`EXTRA_SCRIPT_SPECS` are not checked.)
    """
    return [find_font(spec, search_dirs) for spec in ALL_SPECS]


def clear_cache() -> None:
    """Forget cached lookups (e.g. after installing fonts or changing search dirs)."""
    _locate_file.cache_clear()
    _collection_face_index.cache_clear()
