"""Writes of images: the file checked and stored by its hash, the description upserted."""

from pathlib import Path

from sqlmodel import Session, select

from api.config import Settings, get_settings
from api.content.images.files import Checked, ImageRejectedError, check, store_original
from api.content.images.models import Image, ImageIn
from api.content.service import Changes, Refs, WriteError, read_records, upsert
from api.content.spec import Translatable
from api.db import table

# What an image's description says in other languages (its file and credit are the same).
TRANSLATABLE = Translatable("image", table(Image), ("alt", "caption"), in_catalog=False)


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
    return save_checked(session, refs, changes, record, data, checked, settings, **status)


def save_checked(
    session: Session,
    refs: Refs,
    changes: Changes,
    record: ImageIn,
    data: bytes,
    checked: Checked,
    settings: Settings,
    **status: object,
) -> Image:
    """Store a file `check` has accepted, and write the image (the editor API checks the
    file before its transaction: decoding it need not hold the database's write lock)."""
    store_original(settings.media_path, data, checked)
    values = _description(record) | {
        "width": checked.width,
        "height": checked.height,
        "format": checked.format,
        "digest": checked.digest,
        "bytes": len(data),
    }
    return _upsert(session, refs, changes, record, values | status)


def save_description(
    session: Session, refs: Refs, changes: Changes, record: ImageIn, **status: object
) -> Image:
    """A new description of an image whose file is stored already: an editor's change, a
    trash or a restore. The file stays; a new file is a new upload."""
    found = session.exec(select(Image.id).where(Image.slug == record.slug)).one_or_none()
    if found is None:
        raise WriteError(f"image {record.slug!r} has no file: upload it")
    return _upsert(session, refs, changes, record, _description(record) | status)


def _upsert(
    session: Session, refs: Refs, changes: Changes, record: ImageIn, values: dict[str, object]
) -> Image:
    row = upsert(session, changes, Image, {"slug": record.slug}, values)
    refs.add("image", record.slug, row.id)
    return row


def _description(record: ImageIn) -> dict[str, object]:
    return {
        "alt": record.alt,
        "caption": record.caption,
        "credit": record.credit,
        "focal_x": record.focal_point.x,
        "focal_y": record.focal_point.y,
    }


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
