"""Races for the concurrency tests: calls run in threads, each on its own database
connection, released together by a barrier. Each lock these tests prove was seen to make the
test fail when removed."""

import threading

from django.db import connection

DONE = "done"


def at_once(*calls, refusal=None, timeout=30):
    """Run `calls` at the same moment; one outcome per call, in order: "done" when it returned,
    the message of a `refusal` (the domain error class a person is shown), or any other
    exception itself, so a failing test shows what went wrong."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = DONE
        except Exception as error:
            outcomes[index] = error.message if refusal and isinstance(error, refusal) else error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
