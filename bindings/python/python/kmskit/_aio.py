"""The coroutine behind every ``AsyncClient`` method (see ``PendingCall`` in src/client.rs)."""

from __future__ import annotations

from typing import Any


async def drive(pending: Any) -> Any:
    """Starts the prepared call on kmskit's runtime and waits for it without blocking the loop."""
    return await pending.start()
