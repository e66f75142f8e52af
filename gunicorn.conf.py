"""gunicorn's settings for every way the project runs it (Dockerfile, docker-compose, make bench, the tests):
gunicorn reads this file from the directory it starts in. Command-line options still win."""

# A sync worker tells the arbiter it is alive only between requests, so a streamed export of the
# whole database (about a minute for a million claims) would be killed at gunicorn's default of
# 30 seconds, cut off mid-file. Two minutes covers it; a worker stuck longer is still replaced.
timeout = 120
