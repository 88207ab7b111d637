"""The papers' experiments as package code: one module an experiment, each
with a `main(argv)`; `python -m spektral_tv <experiment>` and the
`spektral-tv` command run them, `scripts/*.py` are thin wrappers."""
