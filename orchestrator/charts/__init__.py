"""Chart releases: pinned charts and release manifests (lock file), where they come from (a chart
source, digest-checked and cached), how they are rendered (the `helm` CLI) and how the rendered
objects are ordered, hooked and applied (`steps.release`). See docs/adr/0009."""
