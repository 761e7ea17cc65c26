"""The `orchestrate` command line: parse, call the engine, render, and map errors to exit codes.

This layer holds no logic of its own beyond talking to the user: confirmation prompts live here and
only here, and exit codes come from `errors.exit_code_of` / `errors.exit_code_for` (DESIGN section 4).
The global options are accepted before or after the command, as `az` and `kubectl` users type them;
given in both places, the one after the command wins.
"""

from __future__ import annotations

import copy
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from orchestrator import errors
from orchestrator.engine.phases import PhaseRegistry

RegistryFactory = Callable[[], PhaseRegistry]
CLOUDS = ("azure", "local")
OUTPUTS = ("text", "json")


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
    emitted: bool = field(default=False)  # the one JSON document is on stdout already

    @property
    def json(self) -> bool:
        return self.output == "json"

    def override(self, name: str, value: Any) -> None:
        """A global option given after the command: it wins over the one before it."""
        setattr(self, name, value)
        if name == "output":
            self.stdout = _stdout_console(value)
        elif name == "verbose":
            _configure_logging(value)


def _stdout_console(output: str) -> Console:
    """With --output json, stdout carries only the JSON document; the text goes to stderr."""
    return Console(stderr=output == "json", highlight=False)


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(logging.DEBUG if verbose else logging.WARNING)
    for noisy in ("azure", "urllib3", "kubernetes"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _default_registry() -> PhaseRegistry:
    from steps.registry import default_registry

    return default_registry()


def _default_services(app: Any) -> Any:
    from orchestrator.services import product_services

    return product_services(app)


def _global_options(after_command: bool) -> list[click.Option]:
    """The options every command takes. Before the command they carry the defaults; after it they
    default to None and, when given, override what came before (see `_override`)."""
    extra: dict[str, Any] = {"expose_value": False, "callback": _override} if after_command else {}

    def default(value: Any) -> Any:
        return None if after_command else value

    return [
        click.Option(
            ["--config", "config_path"],
            type=click.Path(path_type=Path),
            default=default(Path("deployment.yaml")),
            show_default=not after_command,
            help="Deployment file.",
            **extra,
        ),
        click.Option(
            ["--state", "state_path"],
            type=click.Path(path_type=Path),
            default=None,
            help="State file (default .orchestrate/<deployment>.json).",
            **extra,
        ),
        click.Option(
            ["--cloud"],
            type=click.Choice(CLOUDS),
            default=default("azure"),
            show_default=not after_command,
            envvar=None if after_command else "ORCHESTRATE_CLOUD",
            help="Real Azure, or the local cloud that needs no account.",
            **extra,
        ),
        click.Option(
            ["--output"],
            type=click.Choice(OUTPUTS),
            default=default("text"),
            show_default=not after_command,
            help="text, or one JSON document on stdout.",
            **extra,
        ),
        click.Option(
            ["-v", "--verbose"],
            is_flag=True,
            default=False,
            help="Show progress of every step and debug logs on stderr.",
            **extra,
        ),
    ]


def _override(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is None or value is False:  # not given after the command
        return
    state = ctx.find_object(CliState)
    if state is not None and param.name:
        state.override(param.name, value)


def _with_global_options(command: click.Command) -> click.Command:
    """A copy of `command` that also takes the global options (the module's command is untouched,
    so building the CLI twice does not add them twice)."""
    clone = copy.copy(command)
    clone.params = [*command.params, *_global_options(after_command=True)]
    return clone


def build_cli(
    registry_factory: RegistryFactory = _default_registry,
    services_factory: Callable[[Any], Any] = _default_services,
) -> click.Group:
    @click.group(context_settings={"help_option_names": ["-h", "--help"]})
    @click.pass_context
    def cli(
        ctx: click.Context, config_path: Path, state_path: Path | None, cloud: str, output: str, verbose: bool
    ) -> None:
        """Provision and operate the three-cluster AKS demo platform, phase by phase.

        These options may also come after the command: `orchestrate plan --output json`."""
        _configure_logging(verbose)
        ctx.obj = CliState(
            config_path,
            state_path,
            cloud,
            output,
            verbose,
            registry_factory,
            services_factory,
            stdout=_stdout_console(output),
            stderr=Console(stderr=True, highlight=False),
            interactive=sys.stdin.isatty(),
        )

    cli.params.extend(_global_options(after_command=False))
    from orchestrator import commands

    for command in commands.ALL:
        cli.add_command(_with_global_options(command))
    return cli


def main(argv: Sequence[str] | None = None, cli: click.Group | None = None) -> NoReturn:
    """Run the CLI. Commands return their exit code (see `commands.common.handled`); what escapes
    them, such as a click usage error or Ctrl-C outside a command, is reported and mapped here."""
    args = list(argv) if argv is not None else sys.argv[1:]
    group = cli
    try:
        group = group or build_cli()
        code = group.main(args=args, standalone_mode=False)
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as exc:  # the one place nothing may escape as a traceback
        code = _report(exc, args, group)
    sys.exit(code if isinstance(code, int) else 0)


def _report(exc: BaseException, args: list[str], cli: click.Group | None) -> int:
    code = errors.exit_code_for(exc)
    lines = errors.describe(exc)
    if isinstance(exc, click.ClickException):
        exc.show()  # the usage line and the error, as click words them
    else:
        for line in lines:
            click.echo(f"error: {line}", err=True)
    if wants_json(args):
        from orchestrator.output import emit_json

        command = next((a for a in args if cli is not None and a in cli.commands), None)
        document = {"command": command, "error": type(exc).__name__, "messages": lines, "exit_code": code}
        emit_json(sys.stdout, document)
    return code


def wants_json(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON, read without click (which may have refused it)."""
    output = "text"
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--output" and i + 1 < len(args):
            output = args[i + 1]
        elif arg.startswith("--output="):
            output = arg.removeprefix("--output=")
    return output == "json"
