"""Texts a build keeps in a temporary file, for itself and the workers it forks: bodies and cards."""

from __future__ import annotations

import os

import pytest

from digest.workers import TextStore


def test_bodies_read_back_as_written() -> None:
    store = TextStore()
    bodies = {"content/a.md": "<p>Plain.</p>", "content/б.md": "<p>Путин — «Нетаньяху» 💬</p>",
              "content/empty.md": "", "content/odd.md": "<p>a lone surrogate \udcff kept</p>"}
    store.update(bodies)
    store["content/a.md"] = "<p>Written again.</p>"
    assert dict(store) == {**bodies, "content/a.md": "<p>Written again.</p>"}
    assert "content/б.md" in store and "content/c.md" not in store and len(store) == 4
    assert store.get("content/c.md", "") == ""
    del store["content/empty.md"]
    assert sorted(store) == ["content/a.md", "content/odd.md", "content/б.md"]
    store.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="render workers fork")
def test_a_forked_render_worker_reads_the_same_bodies() -> None:
    store = TextStore()
    for number in range(200):
        store[f"content/{number}.md"] = f"<p>Body {number} " + "words " * number + "</p>"
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # as a render worker does: read the store, hand the bytes over, and end at once
        try:
            os.write(writing, store["content/150.md"].encode())
        finally:
            os._exit(0)
    os.close(writing)
    with os.fdopen(reading, "rb") as answer:
        got = answer.read().decode()
    assert os.waitpid(child, 0)[1] == 0
    assert got == "<p>Body 150 " + "words " * 150 + "</p>"
    assert store["content/3.md"] == "<p>Body 3 words words words </p>"  # the parent's reads are unmoved
