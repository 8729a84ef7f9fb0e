"""The search index: entries of the searchable collections, written by their services."""

from api.content.search.models import SearchEntry
from api.content.spec import ContentType
from api.db import table

CONTENT = ContentType(name="search", tables=(table(SearchEntry),))
