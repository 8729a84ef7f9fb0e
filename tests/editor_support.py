"""What the editor API tests share: an app on a private database, keys, and item copies."""

import itertools
import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api import clock
from api.config import PROJECT_ROOT, Settings
from api.editor import service
from api.editor.cli import SCOPES
from api.editor.keys import token_hash
from api.editor.models import ApiKey

SEEDED = {  # one seeded item of each collection
    "states": "albania",
    "partners": "japan",
    "field-operations": "mission-to-serbia",
    "institutions": "secretariat",
    "menus": "main",
    "news": "osce-promotes-marine-transport-security-and-relevant-convention-implementation",
    "events": "opening-of-the-art-exhibition-peace-through-art-on-both-banks-of-the-dniester-"
    "nistru-river-2025",
    "topics": "youth",
    "pages": "our-history",
    "images": "osce-region-map",
}
# The seeded image's file, which an image's copy uploads again.
REGION_MAP = (PROJECT_ROOT / "seed_data" / "images" / "osce-region-map.png").read_bytes()
CODES = ("".join(p) for p in itertools.product(string.ascii_uppercase, repeat=2))


@dataclass
class Editor:
    client: TestClient
    app: FastAPI
    settings: Settings
    tokens: dict[tuple[str, ...], str] = field(default_factory=dict)

    def key(self, *scopes: str, expired: bool = False, revoked: bool = False) -> str:
        """A token with these scopes (cached per scope set when plain)."""
        plain = not (expired or revoked)
        if plain and scopes in self.tokens:
            return self.tokens[scopes]
        expires = clock.now() - timedelta(seconds=1) if expired else None
        with Session(self.app.state.engine) as session:
            key, token = service.create_key(session, "test", list(scopes), expires)
            if revoked:
                assert key.id is not None
                service.revoke_key(session, key.id)
        if plain:
            self.tokens[scopes] = token
        return token

    def key_id(self, token: str) -> str:
        """The id of the key whose token this is."""
        with Session(self.app.state.engine) as session:
            key = session.exec(select(ApiKey).where(ApiKey.token_hash == token_hash(token))).one()
            return str(key.id)

    def auth(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(*scopes)}"}

    @property
    def admin(self) -> dict[str, str]:
        return self.auth(*SCOPES)

    def document(self, collection: str, slug: str) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/editor/{collection}/{slug}", headers=self.admin)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()["data"]["document"]
        return document

    def new_document(self, collection: str, slug: str | None = None) -> dict[str, Any]:
        """A valid new document for the collection: a seeded item's, under a new slug (and
        new country codes, which are unique too)."""
        document = self.document(collection, slug or SEEDED[collection])
        code = next(CODES)
        document["slug"] = f"{document['slug'][:80]}-copy-{code.lower()}"
        if "iso_alpha2" in document:
            document |= {"iso_alpha2": f"Q{code[1]}", "iso_alpha3": f"Q{code}"}
        if "chairpersonship_years" in document:
            document["chairpersonship_years"] = []  # each year belongs to one State
        return document

    def creation(self, collection: str, status: str = "draft") -> tuple[str, dict[str, Any]]:
        """The slug and request arguments of a new item, a copy of the seeded one: a JSON
        document, or an image's upload (its file and its description in form fields)."""
        document = self.new_document(collection)
        if collection != "images":
            return document["slug"], {"json": {"document": document, "status": status}}
        files = {"file": (document.pop("file"), REGION_MAP, "image/png")}
        focal = document.pop("focal_point")
        form = document | {"focal_x": focal["x"], "focal_y": focal["y"], "status": status}
        return document["slug"], {"data": form, "files": files}

    def copy(self, collection: str, status: str = "draft") -> str:
        """A new item of the collection, a copy of its seeded one; its slug."""
        slug, arguments = self.creation(collection, status)
        response = self.client.post(f"/api/v1/editor/{collection}", headers=self.admin, **arguments)
        assert response.status_code == 201, response.text
        return slug

    def etag(self, collection: str, slug: str) -> str:
        response = self.client.get(f"/api/v1/editor/{collection}/{slug}", headers=self.admin)
        assert response.status_code == 200, response.text
        return response.headers["etag"]
