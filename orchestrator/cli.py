"""The `orchestrate` command line: parse, call the engine, render, and map errors to exit codes.

This layer holds no logic of its own beyond talking to the user: confirmation prompts live here and
only here, and `main` is the one place where exceptions become exit codes (DESIGN section 4).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from orchestrator import errors
from orchestrator.engine.phases import PhaseRegistry

RegistryFactory = Callable[[], PhaseRegistry]


@dataclass
class CliState:
    config_path: Path
    state_path: Path | None
    cloud: str
    output: str
    verbose: bool
    registry_factory: RegistryFactory
    services_factory: Callable[[Any], Any]
    stdout: Console
    stderr: Console
    interactive: bool

    @property
    def json(self) -> bool:
        return self.output == "json"


def _default_registry() -> PhaseRegistry:
    from steps.registry import default_registry

    return default_registry()


def _default_services(app: Any) -> Any:
    from orchestrator.services import product_services

    return product_services(app)


def build_cli(
    registry_factory: RegistryFactory = _default_registry,
    services_factory: Callable[[Any], Any] = _default_services,
) -> click.Group:
    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path),
        default=Path("deployment.yaml"),
        show_default=True,
        help="Deployment file.",
    )
    @click.option(
        "--state",
        "state_path",
        type=click.Path(path_type=Path),
        default=None,
        help="State file (default .orchestrate/<deployment>.json).",
    )
    @click.option(
        "--cloud",
        type=click.Choice(["azure", "local"]),
        default="azure",
        show_default=True,
        envvar="ORCHESTRATE_CLOUD",
        help="Real Azure, or the local cloud that needs no account.",
    )
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option(
        "-v", "--verbose", is_flag=True, help="Show progress of every step and debug logs on stderr."
    )
    @click.pass_context
    def cli(
        ctx: click.Context, config_path: Path, state_path: Path | None, cloud: str, output: str, verbose: bool
    ) -> None:
        """Provision and operate the three-cluster AKS demo platform, phase by phase."""
        logging.basicConfig(
            level=logging.DEBUG if verbose else logging.WARNING,
            stream=sys.stderr,
            format="%(levelname)s %(name)s: %(message)s",
        )
        for noisy in ("azure", "urllib3", "kubernetes"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        ctx.obj = CliState(
            config_path,
            state_path,
            cloud,
            output,
            verbose,
            registry_factory,
            services_factory,
            stdout=Console(stderr=output == "json", highlight=False),
            stderr=Console(stderr=True, highlight=False),
            interactive=sys.stdin.isatty(),
        )

    from orchestrator import commands

    for command in commands.ALL:
        cli.add_command(command)
    return cli


def main(argv: Sequence[str] | None = None, cli: click.Group | None = None) -> NoReturn:
    """Run the CLI. Commands return their exit code (see `commands.handled`); what escapes them, such
    as a click usage error or Ctrl-C outside a command, is mapped here."""
    group = cli or build_cli()
    try:
        code = group.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = errors.EXIT_INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        code = errors.EXIT_BAD_INPUT
    except KeyboardInterrupt:
        click.echo("Interrupted; run `orchestrate resume` to continue.", err=True)
        code = errors.EXIT_INTERRUPTED
    except errors.OrchestrateError as exc:
        click.echo(f"error: {exc}", err=True)
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)
