"""The package's shape: one folder per stage, imports that point one way, small modules, a quiet library.

`LAYOUT` is the architecture as the import rule sees it (ARCHITECTURE.md tells it in words).
Its parts are in pipeline order; a module may import the modules of the parts before its own,
and the modules listed before it in its own part. So `model` imports nothing of the package,
`read` never imports `render`, and nothing imports `commands` but the package's own
`__init__` (which re-exports `check`) and `__main__`. Every import is counted, wherever it is
written (inside a function or under `if TYPE_CHECKING:` too): a dependency is a dependency.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "digest"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / PACKAGE
MAX_LINES = 400

# part -> its modules, in the order they may import each other. A part that is one module has ().
LAYOUT: dict[str, tuple[str, ...]] = {
    "model": ("values", "settings", "content", "pages"),  # the nouns of a site
    "records": (),  # the nouns of a build run: options, results, what the cache keeps
    "workers": (),  # worker processes, for read, render and the link checker
    "read": ("yamlread", "files", "settings", "languages", "editions", "config", "dates", "names", "markup",
             "markdown_rust", "markdown", "frontmatter", "discover", "urls", "content"),
    "link": ("terms", "duplicates", "editions", "site", "relink"),
    "plan": ("pages", "checks"),
    "render": ("theme", "cldr", "i18n", "wording", "charts", "schema", "newsletter", "environment", "renderer"),
    "write": ("twin", "output", "searchable", "index_files", "runs", "search"),
    "incremental": ("inputs", "unchanged", "fingerprint", "memory", "pickles", "cache", "cards", "sources", "state", "bodies", "warm", "relinked",
                    "snapshot"),
    "build": (),  # the pipeline
    "commands": ("quick", "links", "external", "check", "scaffold", "publish", "preview.server", "preview.watch", "extract", "mentions",
                 "intake", "mail", "edition", "cli"),
}
PARTS = tuple(LAYOUT)
# The package itself, above every part: `__init__` (the public API) and `__main__` (`python -m digest`).
TOP = ("__init__", "__main__")

# The command line's own modules; everything else is the library.
COMMAND_LINE = frozenset({"commands.quick", "commands.cli", "__main__"})
FORBIDDEN_CALLS = frozenset({"print", "input", "exit", "quit", "breakpoint", "sys.exit", "os._exit"})
# Modules that fork a process of their own, which ends with `os._exit` where its work ends: it never returns
# into the code that forked it, nor runs that process's exit handlers.
FORKING = frozenset({"incremental.snapshot"})
FORBIDDEN_IMPORTS = frozenset({"click"})


def placed_modules() -> list[str]:
    """Every module the layout places: "model", "read.config", "commands.preview.watch", and the parts'
    own `__init__` modules ("read", "commands.preview")."""
    names = [*TOP]
    for part, modules in LAYOUT.items():
        names.append(part)
        names += [f"{part}.{module}" for module in modules]
        names += sorted({f"{part}.{m.rsplit('.', 1)[0]}" for m in modules if "." in m})  # subpackages
    return names


def existing_modules(package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Every module of the package, by dotted name below it; a package by its folder's name."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        found.append(".".join(parts))
    return found


def source_of(module: str, package_dir: Path = PACKAGE_DIR) -> Path:
    path = package_dir.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def rank(module: str) -> tuple[int, int]:
    """A module's place: its part's index, then its index within the part (-1 for the part itself)."""
    part, _, rest = module.partition(".")
    if module in TOP:
        return len(PARTS), 0
    if part not in LAYOUT:
        raise KeyError(module)
    if not rest:
        return PARTS.index(part), -1
    modules = LAYOUT[part]
    if rest in modules:
        return PARTS.index(part), modules.index(rest)
    # a subpackage's own __init__ ("commands.preview") comes before its first module
    first = next(i for i, m in enumerate(modules) if m.startswith(rest + "."))
    return PARTS.index(part), first - 1


def may_import(module: str, imported: str) -> bool:
    """The rule: `imported` comes before `module`, or `module` is the package itself."""
    if module in TOP:
        return imported not in TOP
    if imported in TOP:
        return False
    here, there = rank(module), rank(imported)
    if there[0] != here[0]:
        return there[0] < here[0]
    if imported.partition(".")[2] == "":  # a part's own __init__: its docstring, and the modules it names
        return False
    return there[1] < here[1] or here[1] == -1  # the part's __init__ may gather its own modules' names


@dataclass(frozen=True)
class Import:
    module: str  # the package module imported: "model", "read.config", "__init__"
    line: int
    text: str  # as written: "from digest.render.renderer import PageRenderer"


def _resolve(names: list[str], package_dir: Path) -> str:
    """The longest dotted prefix of `names` that is a module of the package; "__init__" for none."""
    for end in range(len(names), 0, -1):
        candidate = ".".join(names[:end])
        if source_of(candidate, package_dir).exists():
            return candidate
    return "__init__"


def package_imports(module: str, package_dir: Path = PACKAGE_DIR) -> list[Import]:
    """Every import of a package module by `module`, with its line."""
    path = source_of(module, package_dir)
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: list[Import] = []
    for node in ast.walk(tree):
        segment = ast.get_source_segment(text, node) or ""
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE:
                    found.append(Import(_resolve(parts[1:], package_dir), node.lineno, segment))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x`, `from .model import y`
                base = here[: len(here) - node.level + 1] if node.level > 1 else here
                parts = [*base, *(node.module.split(".") if node.module else [])]
            elif node.module and node.module.split(".")[0] == PACKAGE:
                parts = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:  # `from digest.read import config`: the submodule, if it is one
                found.append(Import(_resolve([*parts, alias.name], package_dir), node.lineno, segment))
    return sorted(set(found), key=lambda i: (i.line, i.module))


def wrong_imports(module: str, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """A message for each import of `module` that breaks the rule, naming the import."""
    messages = []
    for imp in package_imports(module, package_dir):
        if imp.module == module or may_import(module, imp.module):
            continue
        if imp.module.partition(".")[0] == module.partition(".")[0] and imp.module not in TOP:
            why = f"{imp.module} comes after {module} in its part's order"
        elif imp.module in TOP:
            why = "the package's __init__ is its public face, for callers outside it"
        else:
            why = f"{imp.module.partition('.')[0]} comes after {module.partition('.')[0]} in the pipeline"
        messages.append(f"{where(module, imp.line, package_dir)}: `{imp.text}`: {why}")
    return messages


def where(module: str, line: int, package_dir: Path = PACKAGE_DIR) -> str:
    return f"{PACKAGE}/{source_of(module, package_dir).relative_to(package_dir).as_posix()}:{line}"


# ---------------------------------------------------------------------------


def test_every_module_has_a_place() -> None:
    unplaced = sorted(set(existing_modules()) - set(placed_modules()))
    assert unplaced == [], (
        f"{', '.join(unplaced)}: not in tests/test_layout.py's LAYOUT; give each its place in the pipeline")


def test_every_place_has_a_module() -> None:
    missing = sorted(set(placed_modules()) - set(existing_modules()))
    assert missing == [], f"{', '.join(missing)}: in LAYOUT, but not in the package"


@pytest.mark.parametrize(
    ("module", "imported", "allowed"),
    [
        ("model", "read.config", False),
        ("model.content", "model.values", True),
        ("model.values", "model.pages", False),
        ("model", "model.pages", True),  # the part gathers its modules' names
        ("workers", "model", True),
        ("records", "model", True),
        ("model", "records", False),
        ("read.config", "read.yamlread", True),
        ("read.yamlread", "read.config", False),
        ("read.content", "render.theme", False),  # read never imports render
        ("read.content", "read.frontmatter", True),
        ("link.site", "link.terms", True),
        ("plan.pages", "render.wording", False),  # the planner chooses no words
        ("render.wording", "plan.pages", True),
        ("render.renderer", "write.output", False),  # rendering hands its bytes over; it does not write
        ("incremental.fingerprint", "plan.pages", True),
        ("incremental.cache", "build", False),
        ("build", "incremental.bodies", True),
        ("build", "commands.check", False),  # nothing in the pipeline imports commands
        ("commands.cli", "commands.preview.watch", True),
        ("commands.preview.watch", "commands.cli", False),
        ("__init__", "commands.check", True),
        ("read.files", "__init__", False),
    ],
)
def test_the_rule(module: str, imported: str, allowed: bool) -> None:
    assert may_import(module, imported) is allowed


@pytest.mark.parametrize("module", existing_modules())
def test_imports_point_one_way(module: str) -> None:
    messages = wrong_imports(module)
    assert not messages, "imports that point the wrong way:\n" + "\n".join(messages)


@pytest.mark.parametrize("module", existing_modules())
def test_modules_stay_small(module: str) -> None:
    lines = len(source_of(module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{where(module, 1)} has {lines} lines, more than {MAX_LINES}: split it by noun or stage")


def call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
        return f"{node.func.value.id}.{node.func.attr}"
    return None


def loud_calls(module: str, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """Each print/input/exit call and click import of `module`, with its line."""
    path = source_of(module, package_dir)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and call_name(node) in FORBIDDEN_CALLS
                and not (module in FORKING and call_name(node) == "os._exit")):
            found.append(f"{where(module, node.lineno, package_dir)}: calls {call_name(node)}()")
        elif isinstance(node, ast.Import):
            found += [f"{where(module, node.lineno, package_dir)}: imports {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif (isinstance(node, ast.ImportFrom) and not node.level and node.module
              and node.module.split(".")[0] in FORBIDDEN_IMPORTS):
            found.append(f"{where(module, node.lineno, package_dir)}: imports {node.module}")
    return found


@pytest.mark.parametrize("module", [m for m in existing_modules() if m not in COMMAND_LINE])
def test_the_library_never_prints_prompts_exits_or_imports_click(module: str) -> None:
    found = loud_calls(module)
    assert not found, ("the library reports problems as values; only commands/cli.py prints, prompts, exits "
                       "and uses click:\n" + "\n".join(found))


# ---------------------------------------------------------------------------
# the checker checks: it finds what it must


def probe_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package of empty modules in the layout's shape, with these files' sources in place."""
    root = tmp_path / PACKAGE
    placed = placed_modules()
    for module in placed:
        path = source_of(module, root)
        if any(other.startswith(module + ".") for other in placed):  # a package: its folder's __init__.py
            path = root.joinpath(*module.split(".")) / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text("", encoding="utf-8")
    for module, text in files.items():
        source_of(module, root).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("source", "modules"),
    [
        ("from digest.model import Problem\n", ["model"]),
        ("import digest.render.renderer\n", ["render.renderer"]),
        ("import digest.render.renderer as r\n", ["render.renderer"]),
        ("from digest import model, __version__\n", ["__init__", "model"]),
        ("from digest.read import config\n", ["read.config"]),
        ("from digest import read\n", ["read"]),
        ("from . import content\n", ["read.content"]),
        ("from .yamlread import load_yaml\n", ["read.yamlread"]),
        ("from ..model import Problem\n", ["model"]),
        ("def f():\n    from digest.build import build\n", ["build"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from digest.commands.cli import main\n",
         ["commands.cli"]),
        ("import digestive\nfrom yaml import load\n", []),
    ],
)
def test_package_imports_finds_every_import(tmp_path: Path, source: str, modules: list[str]) -> None:
    root = probe_package(tmp_path, {"read.discover": source})
    assert sorted(i.module for i in package_imports("read.discover", root)) == sorted(modules)


@pytest.mark.parametrize(
    ("module", "source", "messages"),
    [
        ("read.content", "from digest.model import Problem\nfrom digest.render.renderer import PageRenderer\n",
         ["digest/read/content.py:2: `from digest.render.renderer import PageRenderer`: render comes after read "
          "in the pipeline"]),
        ("model", "import digest.read.config\n",
         ["digest/model/__init__.py:1: `import digest.read.config`: read comes after model in the pipeline"]),
        ("read.files", "from digest.read.content import parse_article\n",
         ["digest/read/files.py:1: `from digest.read.content import parse_article`: read.content comes after "
          "read.files in its part's order"]),
        ("build", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from digest.commands.cli import main\n",
         ["digest/build.py:3: `from digest.commands.cli import main`: commands comes after build in the pipeline"]),
        ("plan.pages", "from digest import __version__\n",
         ["digest/plan/pages.py:1: `from digest import __version__`: the package's __init__ is its public face, "
          "for callers outside it"]),
        ("commands.preview.watch", "from digest.commands.cli import main\n",
         ["digest/commands/preview/watch.py:1: `from digest.commands.cli import main`: commands.cli comes after "
          "commands.preview.watch in its part's order"]),
        ("commands.cli", "from digest.build import build\nfrom digest.commands.scaffold import create_site\n", []),
        ("link.site", "from digest.link.terms import build_terms\nfrom digest.model import Site\n", []),
    ],
)
def test_wrong_imports_are_named(tmp_path: Path, module: str, source: str, messages: list[str]) -> None:
    root = probe_package(tmp_path, {module: source})
    assert wrong_imports(module, root) == messages


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('print("hi")\n', ["digest/read/names.py:1: calls print()"]),
        ("import sys\n\n\ndef f():\n    sys.exit(1)\n", ["digest/read/names.py:5: calls sys.exit()"]),
        ("answer = input()\n", ["digest/read/names.py:1: calls input()"]),
        ("import click\n", ["digest/read/names.py:1: imports click"]),
        ("from click.testing import CliRunner\n", ["digest/read/names.py:1: imports click.testing"]),
        ('"""print("in a docstring") is text"""\nimport clickhouse\nlog.print("x")\n', []),
    ],
)
def test_loud_calls_are_found(tmp_path: Path, source: str, found: list[str]) -> None:
    root = probe_package(tmp_path, {"read.names": source})
    assert loud_calls("read.names", root) == found
