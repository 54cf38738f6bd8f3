"""Stages 1 to 3, read: the site's files → `SiteConfig`, its sources, and `Article`s and `TermPage`s.

The only stage that reads the site folder (the cache aside). `digest/incremental/inputs.py`
hashes this package's code: a cache made by other reading code is emptied, not trusted.
"""
