"""Menus: ordered trees of navigation nodes, some of which point to items of the API."""

from api.content.menus import routes, service
from api.content.menus.models import Menu, MenuNode
from api.content.spec import Collection, ContentType
from api.db import table

CONTENT = ContentType(
    name="menus",
    tables=(table(Menu), table(MenuNode)),
    collections=(
        Collection(
            name="menus",
            description="Navigation menus as ordered trees.",
            router=routes.router,
            list_example="limit=2",
            item_example="social",
            parameter_examples={"sort": "position"},
        ),
    ),
    load_seed=service.load_seed,
    after=("topics", "countries", "field_operations", "institutions"),
    translatable=(service.TRANSLATABLE,),
)
