"""The package's shape: imports point one way, modules stay small, the library stays quiet.

The pipeline order is the table below (STYLE.md, DESIGN.md): a module may import only
`model` and the modules to its left. `cache`, `serve`, `scaffold`, `cli` and the package's
`__init__`/`__main__` sit outside the pipeline: they may call into it, and nothing in the
pipeline imports them. Every import is counted, wherever it is written (inside a function
or under `if TYPE_CHECKING:` too): a dependency is a dependency.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "digest"
PACKAGE_DIR = Path(__file__).resolve().parent.parent / PACKAGE
MAX_LINES = 400

# The pipeline, left to right. `search` (the index stage of DESIGN.md) has its place before
# the build that runs it, whether or not it is written yet. `fingerprint` (what each page
# depends on) follows plan; `inputs` (what changed), `workers` (processes) and `sources` (parse
# results from the cache or the workers) serve build, and `links` (the link checker behind
# `digest check`, which reads the built output) spreads its pages over `workers`, so it follows them.
# `yamlread` reads the YAML that config and content share, so it comes right after model; `files`
# (the site's folders walked, links out of the site refused) serves content and theme.
PIPELINE = ("model", "yamlread", "files", "config", "dates", "names", "markdown", "content", "taxonomy", "site", "charts",
            "schema", "plan", "fingerprint", "theme", "render", "twin", "output", "search", "inputs", "workers", "links",
            "sources", "build")

# Outside the pipeline: each may import every pipeline module, and the outside modules listed.
# "__init__" is the package itself (`from digest import __version__`).
OUTSIDE: dict[str, frozenset[str]] = {
    "__init__": frozenset({"check"}),  # `digest.check`, with `digest.build`
    "check": frozenset(),  # `digest check`: a build into a scratch folder, then its links
    "cache": frozenset({"__init__"}),  # its keys include the digest version
    "server": frozenset(),  # the preview's HTTP side
    "serve": frozenset({"cache", "server", "__init__"}),
    "scaffold": frozenset(),
    "publish": frozenset(),  # `digest publish`: the output to a git branch or a folder
    "cli": frozenset({"scaffold", "serve", "check", "publish", "cache", "__init__"}),
    "__main__": frozenset({"cli"}),
}

# The command line's own modules; everything else is the library.
COMMAND_LINE = frozenset({"cli", "__main__"})
FORBIDDEN_CALLS = frozenset({"print", "input", "exit", "quit", "breakpoint", "sys.exit", "os._exit"})
FORBIDDEN_IMPORTS = frozenset({"click"})


def allowed_imports(module: str) -> frozenset[str]:
    """The package modules `module` may import."""
    if module in OUTSIDE:
        return frozenset(PIPELINE) | OUTSIDE[module]
    position = PIPELINE.index(module)
    return frozenset(PIPELINE[:position])


@dataclass(frozen=True)
class Import:
    module: str  # the package module imported: "model", "__init__"
    line: int
    text: str  # as written: "from digest.render import PageRenderer"


def source_of(module: str, package_dir: Path = PACKAGE_DIR) -> Path:
    return package_dir / f"{module}.py"


def existing_modules(package_dir: Path = PACKAGE_DIR) -> list[str]:
    return sorted(p.stem for p in package_dir.glob("*.py"))


def package_imports(module: str, package_dir: Path = PACKAGE_DIR) -> list[Import]:
    """Every import of a package module by `module`, with its line."""
    path = source_of(module, package_dir)
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    package_modules = set(existing_modules(package_dir)) | set(PIPELINE) | set(OUTSIDE)
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE:
                    found.append(Import(parts[1] if len(parts) > 1 else "__init__", node.lineno,
                                        ast.get_source_segment(text, node) or ""))
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x`, `from .model import y`
                base = node.module.split(".")[0] if node.module else None
            elif node.module and node.module.split(".")[0] == PACKAGE:
                parts = node.module.split(".")
                base = parts[1] if len(parts) > 1 else None
            else:
                continue
            segment = ast.get_source_segment(text, node) or ""
            if base is not None:
                found.append(Import(base, node.lineno, segment))
            else:  # `from digest import x`: a submodule, or a name of the package itself
                for alias in node.names:
                    name = alias.name if alias.name in package_modules else "__init__"
                    found.append(Import(name, node.lineno, segment))
    return sorted(found, key=lambda i: (i.line, i.module))


def wrong_imports(module: str, package_dir: Path = PACKAGE_DIR) -> list[str]:
    """A message for each import of `module` that breaks the rule, naming the import."""
    allowed = allowed_imports(module)
    messages = []
    for imp in package_imports(module, package_dir):
        if imp.module == module or imp.module in allowed:
            continue
        if imp.module in OUTSIDE:
            why = f"{imp.module} sits outside the pipeline, and {module} may not import it"
        elif module in PIPELINE and imp.module in PIPELINE:
            why = f"{imp.module} comes after {module} in the pipeline"
        else:
            why = f"{imp.module} has no place in the layout table"
        messages.append(f"{where(module, imp.line)}: `{imp.text}`: {why}")
    return messages


def where(module: str, line: int) -> str:
    return f"{PACKAGE}/{module}.py:{line}"


# ---------------------------------------------------------------------------


def test_every_module_has_a_place() -> None:
    unplaced = [m for m in existing_modules() if m not in PIPELINE and m not in OUTSIDE]
    assert unplaced == [], (
        f"{', '.join(f'{PACKAGE}/{m}.py' for m in unplaced)}: not in tests/test_layout.py's PIPELINE or OUTSIDE "
        "table; give each its place in the pipeline")


def test_the_table_names_each_module_once() -> None:
    assert len(set(PIPELINE)) == len(PIPELINE)
    assert not set(PIPELINE) & set(OUTSIDE)
    assert PIPELINE[0] == "model" and PIPELINE[-1] == "build"


@pytest.mark.parametrize(
    ("module", "may_import", "may_not_import"),
    [
        ("model", set(), {"config", "build", "cli"}),
        ("config", {"model"}, {"dates", "content", "cli"}),
        ("content", {"model", "config", "dates", "names", "markdown"}, {"taxonomy", "render", "build"}),
        ("site", {"taxonomy", "names"}, {"plan", "theme"}),
        ("render", {"theme", "plan"}, {"output", "build"}),
        ("build", {"output", "render", "search"}, {"cli", "serve", "cache", "scaffold", "__init__"}),
        ("cli", {"build", "scaffold", "serve", "__init__"}, {"__main__"}),
        ("scaffold", {"names", "model"}, {"cli", "serve"}),
        ("serve", {"build", "cache"}, {"cli"}),
    ],
)
def test_the_rule(module: str, may_import: set[str], may_not_import: set[str]) -> None:
    allowed = allowed_imports(module)
    assert may_import <= allowed
    assert not may_not_import & allowed


@pytest.mark.parametrize("module", [m for m in (*PIPELINE, *OUTSIDE) if source_of(m).exists()])
def test_imports_point_one_way(module: str) -> None:
    messages = wrong_imports(module)
    assert not messages, "imports that point the wrong way:\n" + "\n".join(messages)


@pytest.mark.parametrize("module", existing_modules())
def test_modules_stay_small(module: str) -> None:
    lines = len(source_of(module).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{PACKAGE}/{module}.py has {lines} lines, more than {MAX_LINES}: split it by noun or stage")


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
        if isinstance(node, ast.Call) and call_name(node) in FORBIDDEN_CALLS:
            found.append(f"{where(module, node.lineno)}: calls {call_name(node)}()")
        elif isinstance(node, ast.Import):
            found += [f"{where(module, node.lineno)}: imports {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif (isinstance(node, ast.ImportFrom) and not node.level and node.module
              and node.module.split(".")[0] in FORBIDDEN_IMPORTS):
            found.append(f"{where(module, node.lineno)}: imports {node.module}")
    return found


@pytest.mark.parametrize("module", [m for m in existing_modules() if m not in COMMAND_LINE])
def test_the_library_never_prints_prompts_exits_or_imports_click(module: str) -> None:
    found = loud_calls(module)
    assert not found, ("the library reports problems as values; only cli.py prints, prompts, exits "
                       "and uses click:\n" + "\n".join(found))


# ---------------------------------------------------------------------------
# the checker checks: it finds what it must


@pytest.mark.parametrize(
    ("source", "modules"),
    [
        ("from digest.model import Problem\n", ["model"]),
        ("import digest.render\n", ["render"]),
        ("import digest.render as r\n", ["render"]),
        ("from digest import render, __version__\n", ["__init__", "render"]),
        ("from . import cli\n", ["cli"]),
        ("from .model import Problem\n", ["model"]),
        ("def f():\n    from digest.build import build\n", ["build"]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from digest.cache import Cache\n", ["cache"]),
        ("import digestive\nfrom yaml import load\n", []),
    ],
)
def test_package_imports_finds_every_import(tmp_path: Path, source: str, modules: list[str]) -> None:
    (tmp_path / "probe.py").write_text(source, encoding="utf-8")
    assert sorted(i.module for i in package_imports("probe", tmp_path)) == sorted(modules)


@pytest.mark.parametrize(
    ("module", "source", "messages"),
    [
        ("content", "from digest.model import Problem\nfrom digest.render import PageRenderer\n",
         ["digest/content.py:2: `from digest.render import PageRenderer`: render comes after content in the "
          "pipeline"]),
        ("model", "import digest.config\n",
         ["digest/model.py:1: `import digest.config`: config comes after model in the pipeline"]),
        ("build", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from digest.cache import Cache\n",
         ["digest/build.py:3: `from digest.cache import Cache`: cache sits outside the pipeline, and build may "
          "not import it"]),
        ("plan", "from digest import __version__\n",
         ["digest/plan.py:1: `from digest import __version__`: __init__ sits outside the pipeline, and plan may "
          "not import it"]),
        ("serve", "from digest.cli import main\n",
         ["digest/serve.py:1: `from digest.cli import main`: cli sits outside the pipeline, and serve may not "
          "import it"]),
        ("cli", "from digest.build import build\nfrom digest.scaffold import create_site\n", []),
        ("site", "from digest.taxonomy import build_terms\nfrom digest.model import Site\n", []),
    ],
)
def test_wrong_imports_are_named(tmp_path: Path, module: str, source: str, messages: list[str]) -> None:
    (tmp_path / f"{module}.py").write_text(source, encoding="utf-8")
    assert wrong_imports(module, tmp_path) == messages


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('print("hi")\n', ["digest/probe.py:1: calls print()"]),
        ("import sys\n\n\ndef f():\n    sys.exit(1)\n", ["digest/probe.py:5: calls sys.exit()"]),
        ("answer = input()\n", ["digest/probe.py:1: calls input()"]),
        ("import click\n", ["digest/probe.py:1: imports click"]),
        ("from click.testing import CliRunner\n", ["digest/probe.py:1: imports click.testing"]),
        ('"""print("in a docstring") is text"""\nimport clickhouse\nlog.print("x")\n', []),
    ],
)
def test_loud_calls_are_found(tmp_path: Path, source: str, found: list[str]) -> None:
    (tmp_path / "probe.py").write_text(source, encoding="utf-8")
    assert loud_calls("probe", tmp_path) == found
