"""Anything with a place as GeoJSON (RFC 7946): a `FeatureCollection` of the page's items.

Each feature's `properties` are the item exactly as the JSON list gives it, its `id` the slug
and its geometry a `Point` of the item's place, longitude first (RFC 7946 §3.1.1). An item with
no coordinates is still a feature, with a null geometry (§3.2): the GeoJSON of a query has the
items of its JSON list, no fewer. The collection's `links` ride along as a foreign member.
"""

from typing import Any

import orjson

from api.http.formats import Format, Rendering


def _geometry(place: dict[str, Any] | None) -> dict[str, Any] | None:
    if place is None or place.get("latitude") is None or place.get("longitude") is None:
        return None
    return {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]}


def geojson(place_field: str) -> Format:
    """GeoJSON of a collection whose items give their place in `place_field` (an object with
    `latitude` and `longitude`: a location, a capital, a seat)."""

    def render(page: Rendering) -> bytes:
        features = [
            {
                "type": "Feature",
                "id": item["slug"],
                "geometry": _geometry(item[place_field]),
                "properties": item,
            }
            for item in page.items
        ]
        collection = {"type": "FeatureCollection", "features": features, "links": page.links}
        return orjson.dumps(collection, option=orjson.OPT_UTC_Z)

    return Format(
        "geojson", "application/geo+json", "application/geo+json", render, ("application/json",)
    )
