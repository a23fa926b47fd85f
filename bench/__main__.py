"""``python -m bench``: every performance figure in one run (see bench/run_all.py)."""

from bench.run_all import main

raise SystemExit(main())
