"""Imports run one way: dit_portal <- members <- trainings <- supervision <- accreditation
<- providers; certificates and reading_list use only dit_portal and members. A lower app
never imports a higher one, not even inside a function."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

CHAIN = ["dit_portal", "members", "trainings", "supervision", "accreditation", "providers"]
ALLOWED = {app: set(CHAIN[: index + 1]) for index, app in enumerate(CHAIN)}
ALLOWED["certificates"] = {"dit_portal", "members", "certificates"}
ALLOWED["reading_list"] = {"dit_portal", "members", "reading_list"}
OWN_APPS = set(ALLOWED)


def imported_apps(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in OWN_APPS:
                yield node.lineno, top


@pytest.mark.parametrize("app", sorted(app for app in ALLOWED if Path(settings.BASE_DIR, app).is_dir()))
def test_an_app_imports_only_the_apps_below_it(app):
    root = Path(settings.BASE_DIR, app)
    wrong = [
        f"{path.relative_to(settings.BASE_DIR)}:{line} imports {imported}"
        for path in sorted(root.rglob("*.py"))
        for line, imported in imported_apps(path)
        if imported not in ALLOWED[app]
    ]
    assert wrong == []
