"""Draw the import graph between the domains and the shell, from the code (grimp, the graph
import-linter checks), as a Mermaid diagram in Markdown.

    python scripts/import_graph.py > docs/import-graph.md

tests/test_layers.py fails when docs/import-graph.md is not what this prints.
"""

from __future__ import annotations

import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _domains() -> tuple[str, ...]:
    """The domains in the order of the layers contract in pyproject.toml (top first), so that a
    new domain is drawn as soon as it is a layer."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        contracts = tomllib.load(f)["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers")
    return tuple(d.strip() for layer in layers for d in layer.split("|"))


DOMAINS = _domains()
ROOTS = ("traffpunkt.app", "traffpunkt.cli", "traffpunkt.demo")  # the composition roots


def _room(module: str) -> str:
    top = module.split(".")[0]
    if top in DOMAINS:
        return top
    if any(module == r or module.startswith(r + ".") for r in ROOTS):
        return "roots"
    return "shell"


def _what(module: str) -> str:
    """The imported module without its package (`service`, `tables`, ...)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def edges() -> dict[tuple[str, str], set[str]]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("traffpunkt", *DOMAINS)
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = _room(importer), _room(imported)
            if a != b and b in DOMAINS:  # every room uses the shell: not drawn
                out[(a, b)].add(_what(imported))
    return out


def mermaid() -> str:
    lines = [
        "# The import graph",
        "",
        "Generated from the code by `python scripts/import_graph.py > docs/import-graph.md`",
        "(tests/test_layers.py checks that it is current). An arrow A --> B: A imports B, labelled",
        "with the modules of B it imports. Every room also imports the shell (`traffpunkt/`),",
        "not drawn; `traffpunkt.db` reads the Piccolo apps' table lists (`piccolo_app`).",
        "",
        "```mermaid",
        "flowchart TD",
        '    roots["shell: composition roots<br>app.py cli.py demo.py"]',
        *(f"    {d}" for d in DOMAINS),
        '    shell["shell: the rest of traffpunkt/"]',
    ]
    for (a, b), what in sorted(edges().items()):
        lines.append(f'    {a} -->|"{", ".join(sorted(what))}"| {b}')
    lines += ["```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(mermaid())
