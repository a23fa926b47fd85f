from lenet.train.run import *  # noqa: F403
