"""Helpers shared by the command-line scripts in scripts/."""


def check_minimums(args, **minimums):
    """Raises ValueError naming the flag when an `argparse` value is below its
    minimum (values left at None are not checked), e.g.
    `check_minimums(args, epochs=1, max_side=16)` checks --epochs and --max-side."""
    for name, minimum in minimums.items():
        value = getattr(args, name)
        if value is not None and value < minimum:
            raise ValueError(f"--{name.replace('_', '-')} must be >= {minimum}, got {value}")
    return args
