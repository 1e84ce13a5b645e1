# PgBouncer from Debian's package (the version CI tests: tests/halopst/test_pgbouncer.py).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends pgbouncer && rm -rf /var/lib/apt/lists/*
COPY deploy/pgbouncer.ini /etc/pgbouncer/pgbouncer.ini
USER postgres
EXPOSE 6432
# userlist.txt ("halopst" "SCRAM-SHA-256$…" from pg_authid) is mounted as a secret.
CMD ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
