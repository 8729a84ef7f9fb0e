"""The site's own settings, at one endpoint (not a collection: there is one site)."""

from api.content.site import routes, service
from api.content.site.models import Site
from api.content.spec import ContentType
from api.db import table

CONTENT = ContentType(
    name="site",
    tables=(table(Site),),
    routers=(routes.router,),
    load_seed=service.load_seed,
    after=("pages",),
)
