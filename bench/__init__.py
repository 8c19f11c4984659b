"""``make bench``: performance figures measured side by side in one run (see __main__.py)."""
