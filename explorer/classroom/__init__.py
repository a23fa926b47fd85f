"""A class plays with LeNet-5 together: the store of its drawings (:mod:`~explorer.classroom.store`),
a class's rules (:mod:`~explorer.classroom.classroom`), the board's logic (:mod:`~explorer.classroom.board`)
and its HTML and gallery PNG (:mod:`~explorer.classroom.view`). No Gradio here: the tab is
``explorer/board.py``."""
