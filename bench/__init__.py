"""Kaidan's benchmark: ``python -m bench`` (or ``make bench``) runs every scenario in
``bench.scenarios.SCENARIOS`` on SQLite and PostgreSQL, each in a subprocess with its own
throw-away database, and prints one line per measurement. Figures go to docs/performance.md.
"""
