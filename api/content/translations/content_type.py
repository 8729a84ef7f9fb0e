"""Translations: the texts of items in French, German, Italian, Russian and Spanish."""

from api.content.spec import ContentType
from api.content.translations import service
from api.content.translations.models import NameKey, Translation
from api.db import table

CONTENT = ContentType(
    name="translations",
    tables=(table(Translation), table(NameKey)),
    load_seed=service.load_seed,
    after=(
        "countries",
        "topics",
        "field_operations",
        "institutions",
        "menus",
        "news",
        "events",
        "images",
        "pages",
    ),
)
