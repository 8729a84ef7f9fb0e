"""The formats people already read, rendered from a collection's page: RSS 2.0 and Atom 1.0
(`feeds.py`), iCalendar (`calendar.py`), GeoJSON (`geojson.py`); and the sitemap
(`sitemap.py`). How a request picks one is in `api/http/formats.py`."""
