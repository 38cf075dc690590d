"""What a course's media file may be: its name, its type (from its bytes) and its size.

The same rules serve the content sync (``courses/<slug>/media/``) and browser uploads.
SVG is refused on purpose: it can carry script.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

#: content type -> file name extensions it may have.
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/pdf": ("pdf",),
}
#: Types shown inline; anything else is served as a download.
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,100}\.[a-z0-9]{2,5}")


def sniff_type(data: bytes) -> str | None:
    """The content type told by the file's first bytes, if it is one we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_filename(name: str) -> str:
    """A name fit for ``media/<name>``: lower case, ``[a-z0-9_-]``, one extension."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")[:100] or "file"
    ext = re.sub(r"[^a-z0-9]", "", ext)[:5]
    return f"{stem}.{ext}" if ext else stem


def is_safe_filename(name: str) -> bool:
    return _NAME_RE.fullmatch(name) is not None


def check_media(filename: str, data: bytes, max_bytes: int) -> tuple[str | None, str | None]:
    """``(content_type, None)`` when the file is acceptable, else ``(None, reason)``."""
    if not is_safe_filename(filename):
        return None, str(_l(
            "File name '%(name)s' may only use a-z, 0-9, '-' and '_' and one extension.",
            name=filename))
    if not data:
        return None, str(_l("The file is empty."))
    if len(data) > max_bytes:
        return None, str(_l("The file is larger than %(size)s KB.", size=max_bytes // 1024))
    content_type = sniff_type(data)
    if content_type is None:
        return None, str(_l("Only PNG, JPEG, GIF, WebP images and PDF files are accepted."))
    extension = filename.rsplit(".", 1)[-1]
    if extension not in ALLOWED_TYPES[content_type]:
        return None, str(_l(
            "The file is a %(type)s but its name ends in .%(ext)s.", type=content_type,
            ext=extension))
    return content_type, None
