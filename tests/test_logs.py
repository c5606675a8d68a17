"""A repeated message cannot fill the disk: at most 10 per minute, then one summary line."""

from __future__ import annotations

import logging

from totem.logs import RepeatFilter


def test_repeats_are_capped_and_summarised(monkeypatch: object) -> None:
    import totem.logs as logs

    clock = [1000.0]
    monkeypatch.setattr(logs.time, "monotonic", lambda: clock[0])  # type: ignore[attr-defined]
    f = RepeatFilter(burst=10, window_s=60)

    def record(msg: str = "socket.accept() out of system resource") -> logging.LogRecord:
        return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, msg, None, None)

    passed = sum(f.filter(record()) for _ in range(100_000))
    assert passed == 10
    assert f.filter(record("another message"))  # other messages are not held back
    clock[0] += 61
    summary = record()
    assert f.filter(summary) and "99990 similar message(s) left out" in str(summary.msg)
