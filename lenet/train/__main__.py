import sys

from lenet.train.run import main

sys.exit(main())
