"""``python -m bench``: every performance figure in one run (see bench/run_all.py)."""

import time

STARTED = time.time()  # before the imports: the total time printed is the command's

from bench.run_all import main  # noqa: E402

raise SystemExit(main(started=STARTED))
