"""Reading a whole number the paper's way (sections V–VI): the writer of numbers from MNIST digits
and LeNet-5 trained on the pieces of the segmentation graph."""
