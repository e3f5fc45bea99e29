"""The container healthchecks of docker-compose.yml (the worker's is Celery's own
`celery inspect ping`):

    python -m dit_portal.healthcheck web URL   # gunicorn answers URL with 200, asked as the proxy asks
    python -m dit_portal.healthcheck beat      # beat's scheduler ticked in the last minute

Exit status 0 when healthy; otherwise 1, with the reason on stderr.
"""

import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

HEARTBEAT_MAX_AGE = 60  # seconds; beat ticks at least every 5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer of its own, not health


def check_web(url):
    """GET `url` with the Host and X-Forwarded-Proto the TLS proxy sends (SITE_URL's host,
    https), so ALLOWED_HOSTS and the HTTPS redirect treat it like a real request."""
    if urlsplit(url).scheme != "http":
        return f"{url}: gunicorn is asked over plain http inside the container"
    host = urlsplit(os.environ.get("SITE_URL", "")).netloc or "localhost"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})  # noqa: S310 - http only, checked above
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        return f"{url}: {error}"
    return None if status == 200 else f"{url} answered {status}"


def check_beat():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dit_portal.settings")
    from django.conf import settings

    try:
        age = time.time() - os.path.getmtime(settings.BEAT_HEARTBEAT_FILE)
    except OSError:
        return f"no heartbeat at {settings.BEAT_HEARTBEAT_FILE}"
    return None if age <= HEARTBEAT_MAX_AGE else f"last heartbeat {age:.0f} s ago"


def main(argv):
    if argv[:1] == ["web"] and len(argv) == 2:
        problem = check_web(argv[1])
    elif argv == ["beat"]:
        problem = check_beat()
    else:
        print("usage: python -m dit_portal.healthcheck web URL | beat", file=sys.stderr)
        return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
