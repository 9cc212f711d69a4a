"""The SOC kernel: config, ECS events, the Store contract and its backends, incidents, CLI."""

__version__ = "0.1.0"
