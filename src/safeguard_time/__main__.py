"""``python -m safeguard_time``: the same as the ``safeguard-time`` command."""

from safeguard_time.cli import main

raise SystemExit(main())
