"""What a course's media file may be: its name, its type (from its bytes) and its size;
and the copy of a large image that pages show.

The same rules serve the content sync (``courses/<slug>/media/``) and browser uploads.
SVG is refused on purpose: it can carry script.

Images are stored as uploaded. One wider than ``DISPLAY_WIDTH`` also gets a copy that
wide, made once when it is stored, which module pages (and the offline download) use:
learners on phones and slow links should not fetch a 4000-pixel photograph.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

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


#: Module pages show images at most this many pixels wide (twice a phone's CSS width,
#: and more than the text column's 64rem).
DISPLAY_WIDTH = 960
#: Images with more pixels than this are not decoded (a small file can unpack to
#: gigabytes): they are served as they are.
MAX_PIXELS = 40_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP", "image/gif": "GIF"}


@dataclass(frozen=True)
class DisplayImage:
    """An image as pages show it: its size in pixels, and the resized copy if it needed one."""

    width: int
    height: int
    #: The copy at most DISPLAY_WIDTH wide, in the original's format; None: the original.
    resized: bytes | None = None


def display_image(data: bytes, content_type: str,
                  max_width: int = DISPLAY_WIDTH) -> DisplayImage | None:
    """Measure an image and, when it is wider than ``max_width``, make the copy pages show.

    None for what is not an image (PDF) or cannot be read. Animated GIFs keep their
    frames: they are measured, not resized. The copy carries no metadata (no EXIF
    location), and a photograph's EXIF orientation is applied to it.
    """
    if content_type not in _FORMATS:
        return None
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width <= 0 or height <= 0:
                return None
            if width * height > MAX_PIXELS or getattr(image, "n_frames", 1) > 1:
                return DisplayImage(width, height)
            transposed = ImageOps.exif_transpose(image)
            width, height = transposed.size
            if width <= max_width:
                return DisplayImage(width, height)
            return _resized(transposed, _FORMATS[content_type], max_width)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def _resized(image, fmt: str, max_width: int) -> DisplayImage:
    from PIL import Image

    height = max(1, round(image.height * max_width / image.width))
    if fmt == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    copy = image.resize((max_width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    options = {
        "JPEG": {"quality": 82, "optimize": True, "progressive": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 80, "method": 4},
        "GIF": {"optimize": True},
    }[fmt]
    copy.save(out, fmt, **options)
    return DisplayImage(max_width, height, out.getvalue())
