"""Logging a part that is down (the cache, the broker) without flooding the log: while it
stays down, each process writes the error at most once a minute per part."""

import logging
import threading
import time

logger = logging.getLogger("dit_portal.degraded")

LOG_INTERVAL = 60.0
_last_logged = {}
_lock = threading.Lock()


def log_degraded(part, message, *args):
    """Log `message` as an error unless `part` was logged as down within the last minute."""
    now = time.monotonic()
    with _lock:
        last = _last_logged.get(part)
        if last is not None and now - last < LOG_INTERVAL:
            return False
        _last_logged[part] = now
    logger.error(message, *args, exc_info=True)
    return True


def forget_logged():
    """Start afresh (tests)."""
    with _lock:
        _last_logged.clear()
