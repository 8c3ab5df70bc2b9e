"""The performance benchmark (issue 7): is the portal fast at the size of the largest authority,
for many users at once?

    python -m benchmarks                              # everything, on the large demo authority
    python -m benchmarks --size medium --skip-browser
    python -m benchmarks --json results.json --users 20

It builds (or reuses) a demo authority in ``benchmark-results/<size>/`` (git-ignored; its own
config, cache, demo accounts and audit database, never the project's ``config.toml``), then runs
each part in its own process so that every timing and memory figure is that part's alone:

- ``refresh``: ``python -m data_access refresh`` of the authority from SQLite (time, peak memory);
- ``dstw``: the extract loaded as the server loads it (time, memory), the twenty "Doing the
  Simple Things Well" measures x 13 months computed on it (cold, then again), and one DuckDB pass
  reading the same Parquet columns (the floor), with the ratio between them;
- ``pages``: every page's script run per role under Streamlit's AppTest (median and worst);
- ``browser``: a real server and Debian's chromium (Playwright): the first page after the server
  starts, the server's memory with the cache loaded, and navigation times per role (p95);
- ``users``: N simultaneous users in separate browser contexts, each making a bounded number of
  page views: errors, p95, the server's peak memory and its growth per session;
- ``users_protocol``: the same users over Streamlit's websocket protocol without a browser
  (:mod:`benchmarks.protocol`): the server's side of the same load, with nothing drawn on this
  machine's cores (``--clients`` chooses either or both).

Every part can be skipped (``--skip-refresh``, ``--skip-dstw``, ``--skip-pages``, ``--skip-browser``
(browser and users), ``--skip-users``). The figures are printed as one table against the issue's
targets, with the machine's core count and the versions used, and written as JSON.

Benchmarks are not tests: nothing here fails because the machine is slow, and the test suite never
builds the large authority.
"""
