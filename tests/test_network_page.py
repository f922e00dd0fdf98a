"""The /network page reads its filters as /api/network does: a label, an id or a code selects the same choice,
and a value the API refuses is refused on the page with the API's status and message (never the whole network).

The page's figures are drawn from /api/network with the values its form holds, so the form's values must name the
view the link's query string names; these tests compare the two answers of the API.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

FILTERS = ("programme", "country", "ecosystem", "practice")


def _selected(html: str) -> dict[str, list[tuple[str, str]]]:
    """Each filter's selected options as (value, shown text)."""
    found = {}
    for name in FILTERS:
        select = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S)
        assert select is not None, f"no {name} select"
        found[name] = [(unescape(value), unescape(text).strip("\u2003"))
                       for value, text in re.findall(r'<option value="([^"]*)" selected>([^<]*)', select.group(1))]
    return found


def _view(client: TestClient, params: dict[str, str]) -> tuple[set[str], int]:
    answer = client.get("/api/network", params=params)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    return {node["id"] for node in data["nodes"]}, len(data["links"])


@pytest.mark.parametrize(("name", "typed", "value", "shown"), [
    ("programme", "COSME", "cosme", "COSME"),
    ("programme", "cosme", "cosme", "COSME"),
    ("programme", " Cosme ", "cosme", "COSME"),
    ("programme", "Euroclusters", "euroclusters", "Euroclusters"),
    ("country", "Romania", "RO", "Romania"),
    ("country", "ro", "RO", "Romania"),
    ("country", "ROU", "RO", "Romania"),
    ("ecosystem", "Health", "health", "Health"),
    ("practice", "3.2.6", "3.2.6", "3.2.6 SMEs Go Digital"),
])
def test_the_form_selects_what_a_label_id_or_code_names(client: TestClient, name: str, typed: str, value: str,
                                                        shown: str) -> None:
    page = client.get("/network", params={name: typed})
    assert page.status_code == 200, page.text
    selected = _selected(page.text)
    assert selected[name] == [(value, shown)]
    assert all(selected[other] == [] for other in FILTERS if other != name)
    # What the script will ask for (the form's value) is the view the link asked for.
    assert _view(client, {name: value}) == _view(client, {name: typed})


def test_the_programme_label_gives_the_cosme_network_not_the_whole_one(client: TestClient) -> None:
    page = client.get("/network", params={"programme": "COSME", "type": "clusters"})
    assert page.status_code == 200 and 'name="type" value="clusters" checked' in page.text
    nodes, links = _view(client, {"programme": "COSME"})
    everything, all_links = _view(client, {})
    assert len(nodes) == 11 and links == 34 and len(everything) > 100 and all_links > links


def test_a_value_that_resolves_but_has_no_collaborations_still_shows_in_its_select(client: TestClient) -> None:
    # Finland has organisations but none in a collaboration: the form does not offer it until it is asked for.
    assert '<option value="FI"' not in client.get("/network").text
    page = client.get("/network", params={"country": "Finland"})
    assert page.status_code == 200
    assert _selected(page.text)["country"] == [("Finland", "Finland")]
    assert _view(client, {"country": "Finland"}) == (set(), 0)


@pytest.mark.parametrize("params", [{"programme": "Atlantis"}, {"country": "Denmark"}, {"ecosystem": "nothing"},
                                    {"practice": "9.9.9"}, {"type": "companies"},
                                    {"programme": "COSME", "country": "ZZ"}])
def test_a_value_the_api_refuses_is_refused_on_the_page(client: TestClient, params: dict[str, str]) -> None:
    page = client.get("/network", params=params)
    api = client.get("/api/network", params=params)
    assert page.status_code == api.status_code == 400
    assert page.headers["cache-control"] == "no-store" and "etag" not in page.headers
    summary = re.search(r'<p id="cg-net-summary"[^>]*data-refused="">(.*?)</p>', page.text, re.S)
    assert summary is not None, "the refusal is not in the summary"
    message = unescape(summary.group(1))
    assert message.split(". Choose")[0] in api.text
    assert list(params.values())[-1] in message
    # The form stays usable (every select offered), and nothing in it claims the refused view.
    assert all(_selected(page.text)[name] == [] for name in FILTERS)
    assert '<option value="cosme">COSME</option>' in page.text and "Loading the network" not in page.text
