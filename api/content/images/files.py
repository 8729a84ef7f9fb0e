"""Image files: checking what is imported, storing originals, and rendering the renditions.

An original is refused before anything is decoded when it is too large (`MAX_IMAGE_BYTES`: 413),
has more pixels than `MAX_IMAGE_PIXELS` (a decompression bomb: 413; Pillow reads the size from
the header), is not a PNG, JPEG or WebP file whatever its name says (422), says it is another type
than it is (a `.png` that is a JPEG: 422), or does not decode whole (truncated, corrupt: 422).
Originals and renditions are kept under `MEDIA_DIR` by the original's SHA-256, so a file is
written once and never changes under its name.

Renditions exist only at `WIDTHS` (never wider than the original) in `FORMATS`: nobody can make
the server render other sizes. Each is rendered on first request in a worker thread, at most
`MAX_CONCURRENT_RENDERS` at once per worker (a render holds the decoded image: about 4 bytes a
pixel), written to a temporary file and renamed into place, then served from disk.
"""

import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

WIDTHS = (320, 640, 1280)
ACCEPTED = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}  # Pillow's name → ours
EXTENSIONS = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}
MEDIA_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
# Best first; AVIF where this Pillow can write it.
FORMATS = tuple(f for f in ("avif", "webp", "jpeg") if f != "avif" or features.check("avif"))
SAVE = {"avif": ("AVIF", {"quality": 60}), "webp": ("WEBP", {"quality": 80}),
        "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True})}  # fmt: skip


class ImageRejectedError(Exception):
    """An imported file that is not an acceptable image: `status` is 413 or 422."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Checked:
    format: str
    width: int
    height: int
    digest: str


def check(data: bytes, file_name: str, max_bytes: int, max_pixels: int) -> Checked:
    """What an imported file is, or ImageRejectedError saying why it is refused."""
    if len(data) > max_bytes:
        raise ImageRejectedError(413, f"{file_name}: {len(data):,} bytes; at most {max_bytes:,}")
    declared = EXTENSIONS.get(file_name.rpartition(".")[2].lower())
    if declared is None:
        raise ImageRejectedError(422, f"{file_name}: name a .png, .jpg, .jpeg or .webp file")
    try:
        with Image.open(io.BytesIO(data), formats=tuple(ACCEPTED)) as image:
            found = ACCEPTED[str(image.format)]
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejectedError(
                    413, f"{file_name}: {width} x {height} pixels; at most {max_pixels:,} in all"
                )
            if found != declared:
                raise ImageRejectedError(
                    422, f"{file_name}: named as {declared} but the file is {found}"
                )
            image.load()  # decodes it all: a truncated or corrupt file fails here
    except ImageRejectedError:
        raise
    except Image.DecompressionBombError:  # Pillow's own bound: twice MAX_IMAGE_PIXELS
        raise ImageRejectedError(413, f"{file_name}: too many pixels") from None
    except UnidentifiedImageError:
        raise ImageRejectedError(422, f"{file_name}: not a PNG, JPEG or WebP image") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejectedError(422, f"{file_name}: the image does not decode ({exc})") from None
    return Checked(found, width, height, hashlib.sha256(data).hexdigest())


def original_path(media_dir: Path, digest: str, image_format: str) -> Path:
    return media_dir / "originals" / f"{digest}.{image_format}"


def store_original(media_dir: Path, data: bytes, checked: Checked) -> Path:
    path = original_path(media_dir, checked.digest, checked.format)
    if not path.exists():
        write_atomically(path, data)
    return path


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_bytes(data)
    temporary.replace(path)


def widths_of(width: int) -> tuple[int, ...]:
    """The rendition widths of an image this wide: the configured ones it is not narrower
    than, or its own width when it is narrower than all of them."""
    return tuple(w for w in WIDTHS if w <= width) or (width,)


def rendition_height(width: int, height: int, target: int) -> int:
    return max(1, round(height * target / width))


def render(source: Path, target: Path, width: int, image_format: str) -> None:
    """Render one rendition of `source` (in a worker thread) and put it in place."""
    with Image.open(source) as opened:
        opened.draft("RGB", (width, width * 4))  # JPEG: decode at a reduced scale when it can
        image: Image.Image = ImageOps.exif_transpose(opened)
        if image_format == "jpeg" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        height = rendition_height(image.width, image.height, width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        buffer = io.BytesIO()
        pillow_format, options = SAVE[image_format]
        resized.save(buffer, pillow_format, **options)
    write_atomically(target, buffer.getvalue())
