"""Images, their descriptions and their renditions."""

from api.content.images import routes, service
from api.content.images.models import Image
from api.content.spec import Collection, ContentType, Reference
from api.db import table

CONTENT = ContentType(
    name="images",
    tables=(table(Image),),
    collections=(
        Collection(
            name="images",
            description="Images with alt text, credits and renditions at fixed widths.",
            router=routes.router,
            list_example="limit=1",
            item_example="osce-region-map",
            parameter_examples={"sort": "slug"},
        ),
    ),
    references=(Reference("image", table(Image), "slug"),),
    routers=(routes.rendition_router,),
    load_seed=service.load_seed,
    after=("countries",),
    translatable=(service.TRANSLATABLE,),
)
