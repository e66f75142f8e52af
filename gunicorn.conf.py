"""gunicorn's settings for every way the project runs it (Dockerfile, docker-compose, make bench, the tests):
gunicorn reads this file from the directory it starts in. Command-line options still win."""

import gc

# A sync worker tells the arbiter it is alive only between requests, so a streamed export of the
# whole database would be killed at gunicorn's default of 30 seconds, cut off mid-file. A million
# claims take a few minutes on a two-core machine (docs/benchmarks.md); ten minutes covers them,
# and a worker stuck longer is still replaced.
timeout = 600

# A threaded worker closes a kept-alive connection after this many idle seconds (gunicorn's default).
# A client or proxy that sends on a connection at the moment it closes gets a reset (HTTP/1.1's
# keep-alive race): a proxy in front must close idle upstream connections sooner (nginx:
# keepalive_timeout below this), or retry idempotent requests. tests/test_soak.py's clients do the former.
keepalive = 2


def post_worker_init(worker):
    """Once a worker has loaded the project, set what it loaded aside from the garbage collector.

    The modules, settings, models and views a worker loads live as long as it does, but every full
    collection walked them again: a request that happened to trigger one took far longer than the
    others (the worst of the bench's searches, docs/benchmarks.md). Frozen, a full collection walks
    only what requests allocated. The URL patterns, which Django loads on the first request, are
    loaded first, with the views they import; the garbage of loading is collected, not frozen.
    """
    from django.urls import get_resolver

    _ = get_resolver().url_patterns
    gc.collect()
    gc.freeze()
