"""The engine: steps, diff, runner, phases and the session that runs them."""
