"""The page: one module per thing a user sees, named as the user sees it.

``canvas`` (drawing, the answer and its message), ``network_view`` (every layer's activations),
``mistakes`` (the test digits a network gets wrong), ``why`` (occlusion maps), ``architecture``
(the layers beside the paper's), ``how_it_learned`` (training curves), ``tabs`` (those four tabs in
Gradio), ``pictures`` (colour scale, tiles, PNG, the one ``<img>`` builder), ``assets`` (the CSS and
JavaScript in ``static/``), ``examples`` (the one-click MNIST digits). Everything it shows comes
from :mod:`lenet`.
"""
