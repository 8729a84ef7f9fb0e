"""Images and their renditions: `/api/v1/images`."""

import asyncio
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Request
from pydantic import Field
from starlette.responses import Response

from api.content.images import files
from api.content.images.models import Image, ImagePublic
from api.content.images.service import TRANSLATABLE
from api.content.routing import (
    ITEM_ERRORS,
    LIST_ERRORS,
    Context,
    ItemParams,
    ReadContext,
    SlugPath,
    collection_of,
    fallback_of,
    item_of,
    translations,
)
from api.db import published, table
from api.http.problems import ProblemError
from api.http.responses import collection_response, item_response
from api.read.fields import Computed, PublicFields
from api.read.paging import ItemBy, SortKey, paginate
from api.read.params import CommaList, ListParams
from api.read.query import ListQuery, Row, Source

router = APIRouter(prefix="/images", tags=["images"])
# The files themselves: not a collection's list or item, and not JSON (docs/pages.md).
rendition_router = APIRouter(prefix="/images", tags=["images"])
PREFIX = "/api/v1/images"
IMMUTABLE = "public, max-age=31536000, immutable"
# `{digest}-{width}.{format}`: the digest of the original, so a new file is a new URL.
RENDITION_FILE = r"^[0-9a-f]{16}-[0-9]{1,5}\.(avif|webp|jpeg)$"


def rendition_url(row: Row, width: int, image_format: str) -> str:
    return f"{PREFIX}/{row['slug']}/renditions/{row['digest'][:16]}-{width}.{image_format}"


def _renditions(row: Row, _: ReadContext) -> list[dict[str, Any]]:
    return [
        {
            "url": rendition_url(row, width, image_format),
            "width": width,
            "height": files.rendition_height(row["width"], row["height"], width),
            "type": files.MEDIA_TYPES[image_format],
        }
        for image_format in files.FORMATS
        for width in files.widths_of(row["width"])
    ]


def _sources(row: Row, _: ReadContext) -> list[dict[str, str]]:
    widths = files.widths_of(row["width"])
    return [
        {
            "type": files.MEDIA_TYPES[image_format],
            "srcset": ", ".join(f"{rendition_url(row, w, image_format)} {w}w" for w in widths),
        }
        for image_format in files.FORMATS
    ]


FILE_COLUMNS = (Image.slug, Image.digest, Image.width, Image.height)
IMAGE_FIELDS = PublicFields(
    ImagePublic,
    {
        "slug": Image.slug,
        "alt": Image.alt,
        "caption": Image.caption,
        "credit": Image.credit,
        "width": Image.width,
        "height": Image.height,
        "focal_point": Computed(
            (Image.focal_x, Image.focal_y),
            lambda row, _: {"x": row["focal_x"], "y": row["focal_y"]},
        ),
        "src": Computed(
            FILE_COLUMNS,
            lambda row, _: rendition_url(row, files.widths_of(row["width"])[-1], "jpeg"),
        ),
        "sources": Computed(FILE_COLUMNS, _sources),
        "renditions": Computed(FILE_COLUMNS, _renditions),
        "fallback": fallback_of(Image.id),
    },
)
IMAGES = Source(
    "images", (*IMAGE_FIELDS.columns, Image.format), table(Image), Image.id, (published(Image),)
)
IMAGE_SORTS = {"slug": SortKey(Image.slug, "text")}


class ImageParams(ListParams):
    sort: Literal["slug", "-slug"] = "slug"
    fields: Annotated[CommaList[str], IMAGE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


class ImageItemParams(ItemParams):
    fields: Annotated[CommaList[str], IMAGE_FIELDS.choices] = Field(
        default_factory=list, description="Only these fields."
    )


IMAGE_ITEM = ItemBy(IMAGES, Image.slug, "image")


@router.get(
    "",
    response_model=collection_of(ImagePublic),
    responses=LIST_ERRORS,
    operation_id="listImages",
    summary="List images",
)
async def list_images(
    request: Request, context: Context, params: Annotated[ImageParams, Query()]
) -> Response:
    """Images, with their alt text, credit and `srcset`-ready renditions."""
    page = await paginate(request, context.reader, ListQuery(IMAGES), params, IMAGE_SORTS)
    texts = await translations(context, TRANSLATABLE, page.rows)
    items = IMAGE_FIELDS.items(page.rows, context, params.fields, texts)
    return collection_response(request, items, page, params)


async def _image_row(context: ReadContext, slug: str) -> Row:
    return await IMAGE_ITEM.fetch(context.reader, slug.lower(), slug)


@router.get(
    "/{slug}",
    response_model=item_of(ImagePublic),
    responses=ITEM_ERRORS,
    operation_id="getImage",
    summary="Get an image",
)
async def get_image(
    slug: SlugPath, context: Context, params: Annotated[ImageItemParams, Query()]
) -> Response:
    """One image, by slug."""
    row = await _image_row(context, slug)
    texts = await translations(context, TRANSLATABLE, [row])
    return item_response(IMAGE_FIELDS.item(row, context, params.fields, texts))


@rendition_router.get(
    "/{slug}/renditions/{file}",
    response_class=Response,
    include_in_schema=False,
    operation_id="getImageRendition",
    summary="Get a rendition of an image",
)
async def get_rendition(
    request: Request,
    slug: SlugPath,
    file: Annotated[
        str, Path(pattern=RENDITION_FILE, description="As the image's `renditions` name it.")
    ],
    context: Context,
    params: Annotated[ItemParams, Query()],
) -> Response:
    """One rendition, at a width and in a format the image lists; rendered on first request."""
    row = await _image_row(context, slug)
    digest, _, rest = file.partition("-")
    width_text, _, image_format = rest.partition(".")
    width = int(width_text)
    if not row["digest"].startswith(digest) or width not in files.widths_of(row["width"]):
        raise ProblemError(404, "not-found", f"Image {slug!r} has no rendition {file!r}.")
    if image_format not in files.FORMATS:
        raise ProblemError(404, "not-found", f"This server does not render {image_format}.")
    settings = request.app.state.settings
    target = settings.media_path / "renditions" / row["digest"] / f"{width}.{image_format}"
    if not target.exists():
        source = files.original_path(settings.media_path, row["digest"], row["format"])
        async with _render_slots(request):
            if not target.exists():
                await to_thread.run_sync(files.render, source, target, width, image_format)
    return Response(
        target.read_bytes(),
        media_type=files.MEDIA_TYPES[image_format],
        headers={"Cache-Control": IMMUTABLE},
    )


def _render_slots(request: Request) -> asyncio.Semaphore:
    """The worker's bound on renders at once (MAX_CONCURRENT_RENDERS)."""
    state = request.app.state
    slots: asyncio.Semaphore | None = getattr(state, "render_slots", None)
    if slots is None:
        slots = state.render_slots = asyncio.Semaphore(state.settings.max_concurrent_renders)
    return slots
