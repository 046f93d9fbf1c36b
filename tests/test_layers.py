"""The dependency rules of docs/architecture.md: the import-linter contracts in pyproject.toml
hold, they would catch a broken rule, they cover every module of every domain, and the picture
of the import graph in docs/ is current."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "traffpunkt",
    "accounts",
    "events",
    "registrations",
    "networking",
    "notifications",
    "surveys",
    "planning",
    "evaluations",
    "reports",
)
DOMAINS = PACKAGES[1:]
# What another domain may import of a domain (tables only from tables, for foreign keys).
PUBLIC = {"__init__", "service", "schemas", "statuses", "rows", "tables", "piccolo_app"}
SHARED = {"events": {"topics", "ics"}}  # the topic taxonomy; calendar text for invitations
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def contracts() -> list[dict[str, object]]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]["contracts"]


def test_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_rule_breaks_a_contract(tmp_path: Path) -> None:
    """The contracts are not vacuous: an upward import, another domain's queries and the shell
    importing a domain each break one."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_not_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for file, line, broken in (
        ("accounts/service.py", "from events import service as _e", "Domains depend one way"),
        ("networking/service/plans.py", "from events import queries as _q", "use events through"),
        ("traffpunkt/errors.py", "from events import service as _e", "The shell imports"),
        ("events/routes.py", "from events import queries as _q", "HTTP modules call services"),
    ):
        path = tmp_path / file
        original = path.read_text()
        path.write_text(f"{original}\n{line}\n")
        result = lint_imports(tmp_path)
        path.write_text(original)
        assert result.returncode == 1, (file, result.stdout)
        report = " ".join(result.stdout.partition("Broken contracts")[2].split())
        assert broken in report, (file, result.stdout)


def _not_python(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()}


def test_every_domain_module_is_public_or_protected() -> None:
    """A new module is either part of its domain's interface (named here and in the document)
    or listed in the domain's `protected` contract."""
    protected = {m for c in contracts() if c["type"] == "protected" for m in c["protected_modules"]}
    for domain in DOMAINS:
        for path in (ROOT / domain).glob("*.py"):
            if path.stem in PUBLIC | SHARED.get(domain, set()):
                continue
            assert f"{domain}.{path.stem}" in protected, f"{domain}/{path.name}: add it"


def test_the_picture_of_the_import_graph_is_current() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert (ROOT / "docs" / "import-graph.md").read_text() == import_graph.mermaid(), (
        "run: python scripts/import_graph.py > docs/import-graph.md"
    )


def test_service_packages_import_their_modules_directly() -> None:
    """Inside a service package (`events/service/`, `registrations/service/`) a module imports
    the module that holds a rule, never the package's `__init__` (which only re-exports)."""
    problems = []
    for domain in DOMAINS:
        package = ROOT / domain / "service"
        if not package.is_dir():
            continue
        modules = {p.stem for p in package.glob("*.py")}
        for path in package.glob("*.py"):
            if path.stem == "__init__":
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ImportFrom) and node.module == f"{domain}.service":
                    if any(alias.name not in modules for alias in node.names):
                        problems.append(f"{path.relative_to(ROOT)}: from {node.module} import …")
                elif isinstance(node, ast.ImportFrom) and node.module == domain:
                    if any(alias.name == "service" for alias in node.names):
                        problems.append(f"{path.relative_to(ROOT)}: from {domain} import service")
                elif isinstance(node, (ast.Import, ast.ImportFrom)) and node.col_offset > 0:
                    problems.append(f"{path.relative_to(ROOT)}: an import inside a function")
    assert problems == []


def test_the_domain_errors_know_nothing_of_http() -> None:
    """`traffpunkt/errors.py` (what services raise) imports no web framework and nothing of the
    shell that does; the HTTP answers are `traffpunkt/problems.py`. Neither imports inside a
    function (the cycle templating -> localtime -> errors is gone, not dodged)."""
    web = ("litestar", "traffpunkt.templating", "traffpunkt.problems", "traffpunkt.auth")
    tree = ast.parse((ROOT / "traffpunkt" / "errors.py").read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert [m for m in imported if m and m.startswith(web)] == []
    for name in ("errors.py", "problems.py"):
        tree = ast.parse((ROOT / "traffpunkt" / name).read_text())
        nested = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.col_offset > 0
        ]
        assert nested == [], (name, nested)
