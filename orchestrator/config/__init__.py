"""deployment.yaml: model, loader, static checks and the `init` template."""

from orchestrator.config.loader import load_config, parse_config
from orchestrator.config.model import Deployment

__all__ = ["Deployment", "load_config", "parse_config"]
