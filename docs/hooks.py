"""MkDocs hook: one API page per experiment module.

The experiments (``spektral_tv/experiments/<name>.py``, one module each) are
written in parallel, so their pages are not files in docs/: at build time this
hook finds the modules that exist, generates ``api/experiments/<name>.md``
(the command that runs it and ``::: spektral_tv.experiments.<name>``) and adds
it to the nav under "API reference > Experiments", in the order of
``spektral_tv.__main__.EXPERIMENTS``. The package is read with ``ast``, never
imported (no TensorFlow at build time).
"""

import ast
import logging
import pathlib
import re

from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "spektral_tv"
PAGE_DIR = "api/experiments"


def _commands():
    """module name -> (command, help text), from EXPERIMENTS in __main__.py."""
    tree = ast.parse((PACKAGE / "__main__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "EXPERIMENTS" for t in targets):
            table = ast.literal_eval(node.value)
            return {module: (command, help_text) for command, (module, help_text) in table.items()}
    return {}


def experiment_modules():
    """[(module, command or None, help text or None)] for every module of
    spektral_tv/experiments that exists, dispatcher order first."""
    present = sorted(
        p.stem for p in (PACKAGE / "experiments").glob("*.py") if not p.stem.startswith("_")
    )
    commands = _commands()
    order = list(commands)
    present.sort(key=lambda m: (order.index(m) if m in order else len(order), m))
    return [(m, *commands.get(m, (None, None))) for m in present]


def _page(module, command, help_text):
    title = module.replace("_", " ").capitalize()
    lines = [f"# {title}", ""]
    if command:
        lines += [
            f"{help_text[0].upper()}{help_text[1:]}: run it with",
            "",
            "```bash",
            f"spektral-tv {command} --help",
            f"python -m spektral_tv {command} --help",
            "```",
            "",
            "(see [Command line](../../command-line.md) and [Experiments](../../experiments.md)).",
            "",
        ]
    lines += [f"::: spektral_tv.experiments.{module}", ""]
    return "\n".join(lines)


def _experiments_section(nav):
    """The list under "API reference" > "Experiments" in the nav, or None."""
    for entry in nav or []:
        if isinstance(entry, dict) and "API reference" in entry:
            for sub in entry["API reference"]:
                if isinstance(sub, dict) and "Experiments" in sub:
                    return sub["Experiments"]
    return None


class _GroupedParameters(logging.Filter):
    """Drops griffe's "Parameter 'a, b' does not appear in the function
    signature" for Args entries that document several parameters at once
    (`epochs, learning_rate: ...`, a habit of spektral_tv.training); they
    render as one row. A single unknown name still fails the strict build."""

    PATTERN = re.compile(r"Parameter '[^']*, [^']*' does not appear in the function signature")

    def filter(self, record):
        return not self.PATTERN.search(record.getMessage())


_FILTER = _GroupedParameters()


def on_config(config):
    logger = logging.getLogger("mkdocs.plugins.griffe")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    section = _experiments_section(config["nav"])
    if section is None:
        raise ValueError(
            "docs/hooks.py: mkdocs.yml's nav has no 'API reference' > 'Experiments' section"
        )
    listed = {next(iter(e.values())) for e in section if isinstance(e, dict)}
    for module, _command, _ in experiment_modules():
        path = f"{PAGE_DIR}/{module}.md"
        if path not in listed:
            section.append({module.replace("_", " ").capitalize(): path})
    return config


def on_files(files, config):
    for module, command, help_text in experiment_modules():
        path = f"{PAGE_DIR}/{module}.md"
        if files.get_file_from_path(path) is None:  # a hand-written page wins
            files.append(File.generated(config, path, content=_page(module, command, help_text)))
    return files
