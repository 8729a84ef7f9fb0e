"""`content-api keys create | list | revoke`: the first key comes from the command line."""

import argparse
import re
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from api import clock
from api.config import Settings
from api.db import make_engine
from api.editor.collections import EDITOR_COLLECTIONS
from api.editor.keys import all_scopes
from api.editor.models import ApiKey
from api.editor.service import create_key, revoke_key

SCOPES = all_scopes(c.name for c in EDITOR_COLLECTIONS)
DURATION = re.compile(r"^(\d+)([dh])$")


class KeyArgumentError(Exception):
    """A bad argument; its message is the one line shown."""


def add_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a key; its token is printed once")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--scope",
        action="append",
        required=True,
        help=f"repeatable; 'all' for every scope. One of: {' '.join(SCOPES)}",
    )
    create.add_argument("--expires", help="RFC 3339 instant, or a duration such as 30d or 12h")
    actions.add_parser("list", help="list keys (never their tokens)")
    revoke = actions.add_parser("revoke", help="revoke a key by id, from its next request on")
    revoke.add_argument("id", type=int)


def _expiry(value: str | None) -> datetime | None:
    if value is None:
        return None
    duration = DURATION.match(value)
    if duration:
        amount, unit = int(duration[1]), duration[2]
        return clock.now() + (timedelta(days=amount) if unit == "d" else timedelta(hours=amount))
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise KeyArgumentError(
            f"--expires {value!r}: not an RFC 3339 instant or a duration"
        ) from None
    if instant.tzinfo is None:
        raise KeyArgumentError(f"--expires {value!r}: give a time zone (Z or +hh:mm)")
    return instant


def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            if args.action == "create":
                scopes = list(SCOPES) if "all" in args.scope else list(dict.fromkeys(args.scope))
                unknown = sorted(set(scopes) - set(SCOPES))
                if unknown:
                    raise KeyArgumentError(f"unknown scope(s): {', '.join(unknown)}")
                key, token = create_key(session, args.name, scopes, _expiry(args.expires))
                print(f"key {key.id} ({key.name}): {' '.join(scopes)}")
                print(f"token (shown once, keep it secret): {token}")
            elif args.action == "list":
                for key in session.exec(select(ApiKey).order_by(col(ApiKey.id))).all():
                    state = "revoked" if key.revoked_at else "active"
                    print(
                        f"{key.id}\t{key.name}\t{state}\texpires={key.expires_at}\t"
                        f"last_used={key.last_used_at}\t{key.scopes}"
                    )
            elif revoke_key(session, args.id) is None:
                raise KeyArgumentError(f"no key {args.id}")
            else:
                print(f"key {args.id} revoked")
    finally:
        engine.dispose()
    return 0
