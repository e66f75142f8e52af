"""gunicorn's settings for every way the project runs it (Dockerfile, docker-compose, make bench, the tests):
gunicorn reads this file from the directory it starts in. Command-line options still win."""

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
