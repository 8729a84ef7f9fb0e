"""The region map of the home page, drawn by this project from its own seed data.

Every participating State's capital (blue) and every Partner for Co-operation's (orange) on an
equirectangular projection of the region, with a graticule every 20 degrees: no base map and
nothing taken from elsewhere, so the credit can say truthfully where it comes from. The drawing
is deterministic; `python -m api.content.images.region_map` writes
`seed_data/images/osce-region-map.png`, and the tests check that the committed file is what
the seed data draws.
"""

import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

SEED_DIR = Path(__file__).resolve().parents[3] / "seed_data"
TARGET = SEED_DIR / "images" / "osce-region-map.png"
WIDTH, HEIGHT = 1600, 800
WEST, EAST, SOUTH, NORTH = -130.0, 160.0, -45.0, 75.0
STATE, PARTNER, LINES, SEA = (0, 84, 147), (230, 126, 34), (205, 214, 224), (244, 247, 250)


def _point(longitude: float, latitude: float) -> tuple[float, float]:
    x = (longitude - WEST) / (EAST - WEST) * WIDTH
    y = (NORTH - latitude) / (NORTH - SOUTH) * HEIGHT
    return x, y


def _capitals(name: str) -> list[tuple[float, float]]:
    records = json.loads((SEED_DIR / name).read_text(encoding="utf-8"))
    return [(r["capital"]["longitude"], r["capital"]["latitude"]) for r in records]


def draw() -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), SEA)
    pen = ImageDraw.Draw(image)
    for meridian in range(-120, 161, 20):
        pen.line([_point(meridian, SOUTH), _point(meridian, NORTH)], fill=LINES, width=1)
    for parallel in range(-40, 75, 20):
        pen.line([_point(WEST, parallel), _point(EAST, parallel)], fill=LINES, width=1)
    for colour, capitals in (
        (STATE, _capitals("states.json")),
        (PARTNER, _capitals("partners.json")),
    ):
        for longitude, latitude in capitals:
            x, y = _point(longitude, latitude)
            pen.ellipse([x - 6, y - 6, x + 6, y + 6], fill=colour, outline=(255, 255, 255), width=2)
    pen.ellipse([24, 24, 40, 40], fill=STATE)
    pen.text((48, 24), "Capitals of the 57 participating States", fill=(30, 30, 30))
    pen.ellipse([24, 50, 40, 66], fill=PARTNER)
    pen.text((48, 50), "Capitals of the 11 Partners for Co-operation", fill=(30, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


if __name__ == "__main__":
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(draw())
    print(f"wrote {TARGET}")
