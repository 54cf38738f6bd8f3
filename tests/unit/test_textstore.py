"""Texts a build keeps in a temporary file, for itself and the workers it forks: bodies and cards."""

from __future__ import annotations

import multiprocessing

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


def _read_in_child(store: TextStore, path: str, answer: multiprocessing.SimpleQueue[str]) -> None:
    answer.put(store[path])


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="render workers fork")
def test_a_forked_render_worker_reads_the_same_bodies() -> None:
    store = TextStore()
    for number in range(200):
        store[f"content/{number}.md"] = f"<p>Body {number} " + "words " * number + "</p>"
    context = multiprocessing.get_context("fork")
    answer: multiprocessing.SimpleQueue[str] = context.SimpleQueue()
    child = context.Process(target=_read_in_child, args=(store, "content/150.md", answer))
    child.start()
    child.join(30)
    assert answer.get() == "<p>Body 150 " + "words " * 150 + "</p>"
    assert store["content/3.md"] == "<p>Body 3 words words words </p>"  # the parent's reads are unmoved
