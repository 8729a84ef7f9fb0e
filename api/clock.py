"""The one clock that publication times are compared with.

The public read path binds `now()` into every statement that hides scheduled items, so an item
appears and disappears to the second on every worker without a background job. Tests replace
the clock (`set_clock`) to stand one second before or after a scheduled time.
"""

from collections.abc import Callable
from datetime import UTC, datetime

_clock: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current instant, aware UTC."""
    return _clock() if _clock is not None else datetime.now(UTC)


def set_clock(clock: Callable[[], datetime] | None) -> None:
    """Use `clock` instead of the system clock (None: the system clock again)."""
    global _clock
    _clock = clock
