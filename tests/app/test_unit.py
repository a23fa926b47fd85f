"""``/unit`` through the real HTTP API, and the unit followed by the canvas's ``/strokes``: the
contract of issue 11's "follow a unit".

``/unit`` takes the unit string ("C3:5:4:7", "C5:17", "Output:4") and the network, and answers the
panel's HTML for the session's digit (blank paper for an API caller who has read none). ``/strokes``
takes the unit followed as its third input and answers the panel as its last output.
"""

from __future__ import annotations

import pytest

from lenet.strokes import parse as parse_strokes

gradio_client = pytest.importorskip("gradio_client")

SEVEN = {"strokes": [[[60, 60], [220, 60], [120, 240]]], "brush": 24, "width": 280, "height": 280}


def test_unit_signature(client):
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/unit"]
    assert [p["parameter_name"] for p in api["parameters"]] == ["unit", "name"]
    assert api["returns"][0]["component"] == "Html"


@pytest.mark.parametrize(
    "unit, network, says",
    [
        ("C3:5:4:7", "lenet5", "Following C3 map 5, unit (4, 7) of LeNet-5"),
        ("C5:17", "lenet5-paper", "Following C5 unit 17 of LeNet-5 · trained as in 1998"),
        ("Output:3", "lenet1", "Following output unit 3 of LeNet-1"),
    ],
)
def test_unit_panel(client, unit, network, says):
    panel = client.predict(unit, network, api_name="/unit")
    assert says in panel and "numbers for blank paper" in panel and "data:image/png;base64," in panel


@pytest.mark.parametrize(
    "unit, network, says",
    [("C3:16:0:0", "lenet5", "16 maps"), ("F6:1", "lenet1", "no layer"), ("C3:5:4:7", "lenet9", "no network called")],
)
def test_bad_units_are_explained_and_the_server_keeps_serving(client, unit, network, says):
    assert says in client.predict(unit, network, api_name="/unit")
    assert "Following C1 map 0" in client.predict("C1:0:0:0", "lenet5", api_name="/unit")


def test_strokes_follow_the_unit(client):
    assert parse_strokes(SEVEN) is not None
    _, _, _, _, _, panel, *_ = client.predict(SEVEN, "lenet5", "C3:5:4:7", api_name="/strokes")
    assert "Following C3 map 5" in panel and "blank paper" not in panel
    empty = client.predict(SEVEN, "lenet5", "", api_name="/strokes")
    assert len(empty) == 9  # label, message, view, why, design choices, panel, and Bend's three: the first three only
    assert empty[5] == {"props": {"__type__": "update"}, "__type__": "update"}  # no unit: the panel left as it was
