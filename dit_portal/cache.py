"""The cache when Redis is down: the portal keeps answering.

Django's Redis cache raises when Redis is unreachable, and everything that reads the cache
(allauth's rate limits on sign-in, sign-up and password reset, the contact form's and the
certificate check's limits) then answered 500. `FallbackRedisCache` catches Redis's
connection errors and uses a cache local to the process instead, so rate limits still count
(per process rather than site-wide) while Redis is away. The error is logged at most once a
minute; for a few seconds after a failure Redis is not tried again, so a Redis that hangs
does not slow every request.
"""

import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .degraded import log_degraded

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, Redis is tried again this many seconds later.
RETRY_AFTER = 5.0


class FallbackRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"dit-portal-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._retry_at = 0.0

    @property
    def degraded(self):
        return time.monotonic() < self._retry_at


def _guarded(name):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not self.degraded:
            try:
                return redis_method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self._retry_at = time.monotonic() + RETRY_AFTER
                log_degraded(
                    "cache",
                    "Redis (the cache) is unreachable; rate limits count per process until it is back: %s",
                    error,
                )
        return getattr(self._fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(FallbackRedisCache, _name, _guarded(_name))
