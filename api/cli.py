"""The command line: `content-api serve | migrate | seed` (also `python -m api …`)."""

import argparse
import json
import sys

import uvicorn
from alembic import command
from alembic.config import Config
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from api.config import PROJECT_ROOT, get_settings
from api.db import make_engine
from api.seed import SeedError, load_seed


def migrate(revision: str = "head") -> None:
    """Bring the database named by DATABASE_URL to `revision`."""
    command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), revision)


def seed() -> int:
    engine = make_engine(get_settings())
    try:
        report = load_seed(engine)
    except SeedError as exc:
        print(f"seed failed, nothing written: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).splitlines()[0]
        print(f"seed failed, nothing written ({reason}); has `migrate` run?", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("\n".join(report.lines()))
    print(f"seed: {report.changed} rows changed")
    return 0


def openapi_document() -> str:
    """The OpenAPI document as committed in openapi.json: stable key order, a final newline."""
    from api.http.openapi import stored_examples
    from api.main import create_app  # the app only when asked for: migrate and seed need none

    stored_examples.cache_clear()  # `make openapi` may just have captured new ones
    document = create_app(get_settings()).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def serve() -> None:
    settings = get_settings()
    uvicorn.run(
        "api.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=settings.access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        server_header=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="content-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API (HOST, PORT, WORKERS, DATABASE_URL)")
    commands.add_parser("migrate", help="migrate the database to the latest schema")
    commands.add_parser("seed", help="load seed_data/ idempotently")
    commands.add_parser("openapi", help="print the OpenAPI document (as committed in openapi.json)")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
    elif args.command == "seed":
        return seed()
    elif args.command == "openapi":
        sys.stdout.write(openapi_document())
    else:
        serve()
    return 0
