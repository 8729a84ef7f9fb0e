"""Which Python functions a request runs, and how many bytecode instructions each executes:
the attribution callgrind cannot give (it sees CPython's evaluation loop, not the functions).

    python bench/opcodes.py DATABASE_URL SCENARIO [REQUESTS]

SCENARIO is a name from `bench.inprocess`, or a path such as `/api/v1/states?lang=ru`: that
path each time, with the response cache off so that each request does the whole work.

Runs in the checkout it is started from (its `api` package, by the working directory or
PYTHONPATH; by its path, so a checkout without this file can be measured too), builds the app
as `bench.inprocess` does, sends the scenario's warm-up, then traces REQUESTS (default 100) with
`sys.settrace` and `f_trace_opcodes`, and prints per request, for the functions that execute
most: bytecode instructions executed in the function itself, and calls. A count is exact and
repeatable, but it is not a cost: one bytecode instruction may be a dict lookup or a call into
C that builds a list, so a change that removes bytecodes may save fewer machine instructions
than expected (4 Dec: `list(map(itemgetter(0), …))` for a loop over 28 columns removed 115 of
them and no machine instructions). Confirm a change with `bench.instructions`.
"""

import asyncio
import collections
import gc
import importlib.util
import os
import random
import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

_spec = importlib.util.spec_from_file_location("inprocess", Path(__file__).parent / "inprocess.py")
assert _spec is not None
assert _spec.loader is not None
inprocess = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inprocess)

SHOWN = int(os.environ.get("SHOWN", "40"))


def count(database_url: str, scenario: str, requests: int) -> dict[str, tuple[float, float]]:
    """(bytecode instructions, calls) per request, by function."""
    from api.config import Settings
    from api.main import create_app

    one_path = scenario.startswith("/")
    settings = Settings(database_url=database_url, trusted_hosts="testserver")
    app = create_app(settings.model_copy(update={"response_cache_mb": 0}) if one_path else settings)
    executed: collections.Counter[CodeType] = collections.Counter()
    calls: collections.Counter[CodeType] = collections.Counter()

    def in_function(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "opcode":
            executed[frame.f_code] += 1
        return in_function

    # Code made at run time (a dataclass's `__init__`): named by the class it belongs to.
    owners: dict[CodeType, str] = {}

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        code = frame.f_code
        calls[code] += 1
        if code.co_filename == "<string>" and code not in owners and "self" in frame.f_locals:
            owners[code] = type(frame.f_locals["self"]).__qualname__
        return in_function

    async def run() -> None:
        async with app.router.lifespan_context(app):
            if one_path:
                make = lambda: (scenario, ())  # noqa: E731
            else:
                news = inprocess.bench_news(database_url)
                make = inprocess.scenarios(random.Random(1), news)[scenario]
            for _ in range(250):
                await inprocess.call(app, *make(), gzip=False)
            batch = [make() for _ in range(requests)]
            gc.collect()
            gc.disable()
            sys.settrace(on_call)
            try:
                for request in batch:
                    await inprocess.call(app, *request, gzip=False)
            finally:
                sys.settrace(None)
                gc.enable()

    asyncio.run(run())
    found: dict[str, tuple[float, float]] = {}
    for code in set(executed) | set(calls):
        where = code.co_filename.split("site-packages/")[-1].removeprefix(str(Path.cwd()) + "/")
        name = f"{where}:{code.co_firstlineno}:{code.co_qualname}"
        if code in owners:
            name = f"{owners[code]}.{code.co_name} (generated)"
        ops, made = found.get(name, (0.0, 0.0))
        found[name] = (ops + executed[code] / requests, made + calls[code] / requests)
    return found


def main() -> None:
    database_url, scenario = sys.argv[1], sys.argv[2]
    requests = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    found = count(database_url, scenario, requests)
    total = sum(ops for ops, _ in found.values())
    made = sum(calls for _, calls in found.values())
    print(f"{scenario}: {total:,.0f} bytecode instructions and {made:,.0f} Python calls a request")
    print("| bytecodes/request | calls/request | function |\n|---:|---:|---|")
    for name, (ops, calls) in sorted(found.items(), key=lambda item: -item[1][0])[:SHOWN]:
        print(f"| {ops:,.1f} | {calls:.1f} | `{name}` |")


if __name__ == "__main__":
    main()
