"""Writes of images: the file checked and stored by its hash, the description upserted."""

from pathlib import Path

from sqlmodel import Session

from api.config import Settings, get_settings
from api.content.images.files import ImageRejectedError, check, store_original
from api.content.images.models import Image, ImageIn
from api.content.service import Changes, Refs, WriteError, read_records, upsert


def save_image(
    session: Session,
    refs: Refs,
    changes: Changes,
    record: ImageIn,
    data: bytes,
    settings: Settings,
    **status: object,
) -> Image:
    """Check and store the file, then write the image; ImageRejectedError (413 or 422) for a
    file that is not an acceptable image."""
    checked = check(data, record.file, settings.max_image_bytes, settings.max_image_pixels)
    store_original(settings.media_path, data, checked)
    values = {
        "alt": record.alt,
        "caption": record.caption,
        "credit": record.credit,
        "width": checked.width,
        "height": checked.height,
        "focal_x": record.focal_point.x,
        "focal_y": record.focal_point.y,
        "format": checked.format,
        "digest": checked.digest,
        "bytes": len(data),
    } | status
    row = upsert(session, changes, Image, {"slug": record.slug}, values)
    refs.add("image", record.slug, row.id)
    return row


def import_image(settings: Settings, path: Path, record: ImageIn) -> Image:
    """`content-api import-image`: one file and its description, written in one transaction."""
    from api.db import make_engine
    from api.registry import REFERENCES

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WriteError(f"{path}: {exc.strerror}") from None
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            row = save_image(
                session, Refs.load(session, REFERENCES), Changes(), record, data, settings
            )
            session.commit()
            session.refresh(row)
            return row
    finally:
        engine.dispose()


def load_seed(session: Session, refs: Refs, changes: Changes, seed_dir: Path) -> None:
    """`images.json`, each file in `seed_data/images/`, stored under MEDIA_DIR."""
    settings = get_settings()
    for record in read_records(seed_dir / "images.json", ImageIn):
        path = seed_dir / "images" / record.file
        try:
            save_image(session, refs, changes, record, path.read_bytes(), settings)
        except (OSError, ImageRejectedError) as exc:
            raise WriteError(f"{path}: {exc}") from None
