"""Stage 7, write: rendered bytes and copied files → the output folder, all at once, then its search index."""
