"""Model charts and release manifests the local cloud serves (see ``repository``)."""

from .repository import ChartRepository

__all__ = ["ChartRepository"]
