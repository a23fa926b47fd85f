"""``python -m lenet.train``: see the package's docstring."""

import sys

from lenet.train.run import main

sys.exit(main())
