"""Imports a file of scripts/ as a module, so tests call its main(argv) in
the test process (one TensorFlow start-up for all)."""

import importlib.util
import pathlib

SCRIPTS = pathlib.Path(__file__).resolve().parents[1] / "scripts"


def load_script(name):
    """The module of scripts/<name>.py, freshly executed."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
