"""``/healthz``: whether this app server can reach its database and its job queue."""
