"""The program: what the `airspec` console script and `python -m airspec` run. It sets up the process, then hands
over to the commands (airspec.cli).

- The cycle collector is off. A run is one short process whose data lives until it ends; the collector's passes
  over what start-up allocates (click's import, pydantic building the models' validators) cost 3-4% of a compile
  or a raw-file lint and free nothing: the peak memory of a 200-spec compile, lint or validate is the same with it
  off (bench/ prints it).
- pydantic plugins are not loaded (PYDANTIC_DISABLE_PLUGINS, unless the environment sets it): what a spec
  validates to must not depend on what else is installed beside airspec, and finding plugins reads the metadata of
  every installed package.
"""

from __future__ import annotations

import gc
import os


def main() -> None:
    gc.disable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Imported once the collector is off: importing click is a third of a raw-file lint.
    from airspec.cli import main as run

    run()


if __name__ == "__main__":
    main()
