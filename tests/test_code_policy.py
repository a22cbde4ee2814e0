"""tests/support/code_policy.py: it accepts what the templates write and nothing near it.

The hostile and property-based tests only show that generated packages pass the policy. Here
a committed package (generated/parallel_tasks) is changed one statement at a time into
something no template writes, around the shapes the lazy resource modules brought: the
``if TYPE_CHECKING:`` imports, the import inside a resource property, the relative imports
of a resource module and the names of the files in ``resources/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.code_policy import (
    models_problems,
    package_problems,
    problems,
    resource_classes,
)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generated" / "parallel_tasks" / "parallel_tasks"
LAZY = "        from .resources.task_runs import TaskRuns\n"
GUARDED = "    from .resources.task_runs import TaskRuns, TaskRunsWithRawResponse\n"
UP = "from .. import _base, models\n"
GUARDED_CLIENT = "    from ..client import Client\n"


def _changed(module: str, old: str, new: str) -> list[str]:
    """The problems of one module of the package with ``old`` (found once) made ``new``."""
    source = (PACKAGE / module).read_text(encoding="utf-8")
    assert source.count(old) == 1, old
    return problems(module, source.replace(old, new), resource_classes(PACKAGE))


@pytest.mark.parametrize(
    "package", sorted(p for p in (ROOT / "generated").glob("*/*") if (p / "client.py").is_file())
)
def test_committed_packages_pass(package: Path) -> None:
    assert package_problems(package) == []


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (LAZY.replace("TaskRuns", "TaskGroups"), "import of ['TaskGroups']"),
        (LAZY.replace("TaskRuns\n", "TaskRuns as Runs\n"), "import of ['TaskRuns']"),
        (LAZY.replace("TaskRuns\n", "TaskRuns, TaskRunsWithRawResponse\n"), "import of"),
        (LAZY.replace(".resources.task_runs", ".resources.os"), "import from 'resources.os'"),
        (LAZY.replace(".resources.task_runs", ".models"), "import from 'models'"),
        (LAZY.replace("from .resources", "from ..resources"), "(level 2)"),
        ("        import os\n", "import inside a function or class"),
    ],
)
def test_a_property_imports_only_its_resource_class(new: str, expected: str) -> None:
    found = _changed("client.py", LAZY, new)
    assert len(found) == 1 and expected in found[0], found


def test_no_other_function_imports() -> None:
    source = (PACKAGE / "client.py").read_text(encoding="utf-8")
    method = "    def __init__(self, client: Client) -> None:\n"
    moved = source.replace(method, method + LAZY, 1)
    assert moved != source
    found = problems("client.py", moved, resource_classes(PACKAGE))
    assert any("import inside a function or class" in f for f in found), found


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("    import os\n", "Import under if TYPE_CHECKING"),
        ("    print('x')\n", "Expr under if TYPE_CHECKING"),
        (GUARDED.replace("TaskRuns,", "os,"), "import of ['os', 'TaskRunsWithRawResponse']"),
        (GUARDED.replace(".resources.task_runs", "._base"), "import from '_base'"),
    ],
)
def test_a_client_module_type_checks_only_resource_classes(new: str, expected: str) -> None:
    found = _changed("client.py", GUARDED, new)
    assert any(expected in f for f in found), found


def test_only_a_plain_type_checking_block() -> None:
    found = _changed("client.py", GUARDED, GUARDED + "else:\n    pass\n")
    assert any("module-level If" in f for f in found), found
    source = (PACKAGE / "models" / "_task_run.py").read_text(encoding="utf-8")
    guarded = source + "\nif TYPE_CHECKING:\n    from .client import Client\n"
    found = problems("models/_task_run.py", guarded, siblings=frozenset({"_error"}))
    assert any("module-level If" in f for f in found), found


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (UP, "from . import _base, models\n", "relative import None (level 1)"),
        (UP, "from ... import _base, models\n", "relative import None (level 3)"),
        (UP, "from .. import _base, os\n", "relative import of ['_base', 'os']"),
        (UP, UP + "from ..client import Client\n", "relative import 'client' (level 2)"),
        (UP, UP + "from ..resources.task_groups import TaskGroups\n", "'resources.task_groups'"),
        (GUARDED_CLIENT, "    from ..models import TaskRun\n", "import from 'models' under"),
        (GUARDED_CLIENT, "    from ..client import Client as C\n", "import from 'client' under"),
        (GUARDED_CLIENT, "    from .client import Client\n", "import from 'client' under"),
    ],
)
def test_a_resource_module_imports_only_the_package_one_level_up(
    old: str, new: str, expected: str
) -> None:
    found = _changed("resources/task_runs.py", old, new)
    assert any(expected in f for f in found), found


@pytest.mark.parametrize("name", ["con", "_private", "class", "Upper", "__main__"])
def test_resource_module_names_are_plain(tmp_path: Path, name: str) -> None:
    package = tmp_path / "parallel_tasks"
    shutil.copytree(PACKAGE, package)
    (package / "resources" / "task_runs.py").rename(package / "resources" / f"{name}.py")
    found = package_problems(package)
    assert f"resources/{name}.py: not a plain module name" in found, found


def test_no_module_beside_the_expected_ones(tmp_path: Path) -> None:
    package = tmp_path / "parallel_tasks"
    shutil.copytree(PACKAGE, package)
    (package / "resources" / "extra").mkdir()
    (package / "resources" / "extra" / "__init__.py").write_text("")
    found = package_problems(package)
    assert any(f.startswith("modules ") for f in found), found
    (package / "resources" / "extra" / "__init__.py").unlink()
    (package / "resources" / "__init__.py").unlink()
    found = package_problems(package)
    assert any(f.startswith("modules ") for f in found), found


def _models_changed(tmp_path: Path, module: str, old: str, new: str) -> list[str]:
    """The problems of a copy of the package's models folder with one edit in ``module``."""
    folder = tmp_path / "models"
    shutil.copytree(PACKAGE / "models", folder)
    source = (folder / module).read_text(encoding="utf-8")
    assert source.count(old) == 1, old
    (folder / module).write_text(source.replace(old, new), encoding="utf-8")
    return models_problems(folder)


def test_the_generated_models_package_passes(tmp_path: Path) -> None:
    assert _models_changed(tmp_path, "_task_run.py", "class TaskRun(", "class TaskRun(") == []


@pytest.mark.parametrize(
    ("module", "old", "new", "expected"),
    [
        ("_task_run.py", "from ._error import Error\n", "from .._base import Error\n",
         "relative import '_base' (level 2)"),
        ("_task_run.py", "from ._error import Error\n", "from ._nowhere import Error\n",
         "relative import '_nowhere' (level 1)"),
        ("__init__.py", "__all__ = [", "import os\n__all__ = [", "statements after the imports"),
        ("__init__.py", '"TaskRun": "_task_run",', '"TaskRun": "os",', "_MODULES does not map"),
        ("__init__.py", "globals()[name] = value", "globals()[name] = eval(name)",
         "its __getattr__ is not the template's"),
    ],
)  # fmt: skip
def test_a_model_module_or_the_models_init_out_of_shape_is_found(
    tmp_path: Path, module: str, old: str, new: str, expected: str
) -> None:
    found = _models_changed(tmp_path, module, old, new)
    assert any(expected in f for f in found), found
