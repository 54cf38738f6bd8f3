"""What a person runs: the `digest` command and the shells over the library it calls.

`cli` parses arguments and prints; `check` builds into a scratch folder and follows the links
of the result (`links`); `publish` sends a built output to a git branch or a folder;
`scaffold` writes new sites and articles; `preview/` is `digest serve`. Nothing in the
pipeline imports this package; the package's own `__init__` re-exports `check`.
"""
