"""One module per artifact; each `render(resolved) -> str` is a pure function of the resolved model."""
