"""The command line: `content-api serve | migrate | seed | openapi` (also `python -m api …`).

Whatever goes wrong before a command can do its work (a bad setting, a database that does not
answer, a folder that cannot be written) is one sentence on stderr and exit status 1, never a
traceback: the operator reads what to fix, not where it failed.
"""

import argparse
import contextlib
import fcntl
import json
import logging
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from api import purge
from api.config import DEFAULT_CURSOR_SECRET, PROJECT_ROOT, Settings, get_settings
from api.db import make_engine
from api.editor import cli as editor_cli
from api.editor import transfer, webhooks
from api.http.server import BoundedHttpToolsProtocol
from api.seed import EditedError, SeedError, load_seed

log = logging.getLogger("api")
# Any constant both migrators agree on: the key of the PostgreSQL advisory lock.
MIGRATION_LOCK_KEY = 0x0C5E_C0DE


class StartupError(Exception):
    """A problem the operator has to fix; its message is the one sentence shown."""


def _reason(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's wrapping."""
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _sqlite_path(settings: Settings) -> Path | None:
    database = make_url(settings.database_url).database
    return Path(database) if settings.is_sqlite and database and database != ":memory:" else None


@contextlib.contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Held while migrating, so that replicas starting together migrate one after the other:
    an advisory lock on PostgreSQL, an exclusive lock on a file beside the SQLite database."""
    path = _sqlite_path(settings)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock_file = (path.parent / f"{path.name}.migrate-lock").open("a")
        except OSError as exc:
            raise StartupError(f"cannot write to {path.parent}: {exc.strerror}") from None
        with lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            yield
        return
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
    except SQLAlchemyError as exc:
        raise StartupError(f"cannot reach the database: {_reason(exc)}") from None
    finally:
        engine.dispose()


def migrate(revision: str = "head") -> None:
    """Bring the database named by DATABASE_URL to `revision`, one migrator at a time."""
    with migration_lock(get_settings()):
        try:
            command.upgrade(Config(str(PROJECT_ROOT / "alembic.ini")), revision)
        except SQLAlchemyError as exc:
            raise StartupError(f"the migration failed: {_reason(exc)}") from None


def seed() -> int:
    settings = get_settings()
    path = _sqlite_path(settings)
    if path is not None and not path.is_file():
        raise StartupError(f"the SQLite database {path} does not exist; run `migrate` first")
    engine = make_engine(settings)
    try:
        report = load_seed(engine)
    except SeedError as exc:
        print(f"seed failed, nothing written: {exc}", file=sys.stderr)
        return 1
    except EditedError as exc:
        print(f"seed skipped, nothing written: {exc}")
        return 0
    except SQLAlchemyError as exc:
        print(f"seed failed, nothing written ({_reason(exc)}); has `migrate` run?", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("\n".join(report.lines()))
    print(f"seed: {report.changed} rows changed")
    return 0


def reindex() -> int:
    """Rebuild the search index from the content, in one transaction."""
    from sqlmodel import Session

    from api.content.search.service import reindex as rebuild
    from api.registry import SEARCHABLE

    engine = make_engine(get_settings())
    try:
        with Session(engine) as session:
            written = rebuild(session, SEARCHABLE)
            session.commit()
    except SQLAlchemyError as exc:
        print(f"reindex failed, nothing written ({_reason(exc)}); has `migrate` run?",
              file=sys.stderr)  # fmt: skip
        return 1
    finally:
        engine.dispose()
    for collection, count in written.items():
        print(f"{collection:<22} {count:>8} entries")
    return 0


def openapi_document() -> str:
    """The OpenAPI document as committed in openapi.json: stable key order, a final newline."""
    from api.http.openapi import stored_examples
    from api.main import create_app  # the app only when asked for: migrate and seed need none

    stored_examples.cache_clear()  # `make openapi` may just have captured new ones
    document = create_app(get_settings()).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _raise_file_limit(settings: Settings) -> None:
    """Each connection is a file descriptor: past the soft limit (often 1,024) `accept` fails
    and every new client hangs. Raise it to the hard limit, and refuse to start with fewer
    than MAX_CONNECTIONS per worker plus room for the database and logs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.max_connections + 64
    if soft < wanted:
        soft = hard if hard == resource.RLIM_INFINITY else min(hard, max(wanted, soft))
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raise StartupError(
            f"MAX_CONNECTIONS={settings.max_connections} needs {wanted} open files per worker; "
            f"the limit is {soft}: lower MAX_CONNECTIONS or raise `ulimit -n`"
        )


def serve() -> None:
    settings = get_settings()
    path = _sqlite_path(settings)
    if path is not None and not path.is_file():
        raise StartupError(
            f"the SQLite database {path} does not exist; run `content-api migrate` "
            "(and `seed`) first, or point DATABASE_URL at it"
        )
    _raise_file_limit(settings)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s:     %(message)s")
    if settings.cursor_secret == DEFAULT_CURSOR_SECRET:
        log.warning(
            "CURSOR_SECRET is the public default: anyone can forge paging cursors; "
            "set it to a long random value, the same on every worker"
        )
    uvicorn.run(
        "api.main:served_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=settings.access_log,
        http=BoundedHttpToolsProtocol,
        ws="none",
        timeout_keep_alive=settings.keep_alive_s,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,
    )


def purge_proxy() -> None:
    settings = get_settings()
    proxies = [url.strip() for url in settings.proxy_purge_urls.split(",") if url.strip()]
    if not proxies:
        raise StartupError("set PROXY_PURGE_URLS to the caches to purge (e.g. http://varnish:80)")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    purge.run(settings, proxies)


def webhooks_worker() -> None:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    log.info("delivering webhooks from %s", make_url(settings.database_url).render_as_string())
    with contextlib.suppress(KeyboardInterrupt):
        webhooks.run_worker(make_engine(settings, immediate=True), settings.webhook_allow_private)


def transfer_command(command: str, file: str | None) -> int:
    settings = get_settings()
    engine = make_engine(settings)
    try:
        if command == "export":
            with open(file, "wb") if file else contextlib.nullcontext(sys.stdout.buffer) as out:
                count = transfer.export(engine, out, settings)
            print(f"export: {count} lines", file=sys.stderr)
        else:
            assert file is not None
            with open(file, "rb") as lines:
                count = transfer.import_lines(engine, lines, settings)
            print(f"import: {count} lines loaded", file=sys.stderr)
    except (transfer.TransferError, OSError) as exc:
        print(f"content-api {command}: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def import_image_file(args: argparse.Namespace) -> int:
    """An image through its service; a refused file is its status and reason, exit status 1."""
    from api.content.images.files import ImageRejectedError
    from api.content.images.models import ImageIn
    from api.content.images.service import import_image
    from api.content.service import WriteError

    fields = {"slug": args.slug, "file": args.file.name, "alt": args.alt, "credit": args.credit}
    try:
        record = ImageIn(**fields, caption=args.caption)
        row = import_image(get_settings(), args.file, record)
    except ImageRejectedError as exc:
        print(f"content-api import-image: {exc.status}: {exc.detail}", file=sys.stderr)
        return 1
    except (WriteError, ValidationError) as exc:
        print(f"content-api import-image: {exc}", file=sys.stderr)
        return 1
    print(f"image {row.slug}: {row.width} x {row.height} {row.format}, {row.bytes:,} bytes")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="content-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the API (HOST, PORT, WORKERS, DATABASE_URL)")
    commands.add_parser("migrate", help="migrate the database to the latest schema")
    commands.add_parser("seed", help="load seed_data/ idempotently")
    commands.add_parser("openapi", help="print the OpenAPI document (as committed in openapi.json)")
    commands.add_parser("reindex", help="rebuild the search index from the content")
    commands.add_parser(
        "purge-proxy", help="purge the caches in PROXY_PURGE_URLS when the content changes"
    )
    commands.add_parser("webhooks-worker", help="deliver webhooks (as many workers as wanted)")
    exporting = commands.add_parser("export", help="write every item and revision as NDJSON")
    exporting.add_argument("file", nargs="?", help="where to write (default: standard output)")
    importing = commands.add_parser("import", help="load an export into an empty database")
    importing.add_argument("file", help="an export's NDJSON file")
    editor_cli.add_commands(commands)
    image = commands.add_parser("import-image", help="check a PNG, JPEG or WebP file and add it")
    image.add_argument("file", type=Path)
    for name in ("slug", "alt", "credit"):
        image.add_argument(f"--{name}", required=True)
    image.add_argument("--caption")
    args = parser.parse_args(argv)
    try:
        get_settings()
        if args.command == "migrate":
            migrate()
        elif args.command == "seed":
            return seed()
        elif args.command == "reindex":
            return reindex()
        elif args.command == "openapi":
            sys.stdout.write(openapi_document())
        elif args.command == "purge-proxy":
            purge_proxy()
        elif args.command == "keys":
            return editor_cli.run(get_settings(), args)
        elif args.command == "webhooks-worker":
            webhooks_worker()
        elif args.command in ("export", "import"):
            return transfer_command(args.command, args.file)
        elif args.command == "import-image":
            return import_image_file(args)
        else:
            serve()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        print(f"content-api {args.command}: invalid settings: {problems}", file=sys.stderr)
        return 1
    except (StartupError, editor_cli.KeyArgumentError) as exc:
        print(f"content-api {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0
