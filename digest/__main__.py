"""`python -m digest`, and the `digest` command its package installs (`run`)."""

import gc
import os
import sys


def run() -> None:
    """The `digest` program, as its script and `python -m digest` start it: a build with nothing to do answered
    at once (`commands.quick`), else `main`; then an exit that skips Python's shutdown. A command run under test
    (`main`) never gets here.

    At the exit, Python's collector would look through every object the command leaves alive (the cache's
    articles, kept for a next build that never comes) for cycles: 0.2 of the 3.4 s of a people edit at 10,000
    articles. Frozen (`gc.freeze`), they are no longer walked. Then Python would tear down every module and
    object one by one: 15–30 ms of the 0.55 s of a body edit. A command that ends has closed or waited for all
    it opened (files, workers, Pagefind, the output's twin), so once its output is flushed the process ends at
    once (`os._exit`), with the status the command gave. An error the command did not expect still ends the
    usual way, with its traceback.
    """
    from digest.commands.quick import answer

    status: object = answer(sys.argv[1:])  # a build with nothing to do, told before the command line is loaded
    if status is not None:
        _end(status)
    from digest.commands.cli import main

    try:
        main()
    except SystemExit as done:
        status = done.code
    finally:
        gc.freeze()
    _end(status)


def _end(code: object) -> None:
    """End the process now, as `sys.exit(code)` would: 0 for None, a number as it is, anything else printed and 1."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`digest build | head`), or a closed stream
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    run()
