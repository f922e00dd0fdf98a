"""The /network page in headless Chromium, driven over the DevTools protocol as a user would drive it.

A real server runs on 127.0.0.1 (the ``server`` fixture); Chromium opens the page, the test reads how many nodes
cytoscape drew, picks a programme in the form, clicks a node with a real mouse event at its drawn position, reads
the panel that opens and saves a screenshot (``network-page.png`` in the test's temporary directory).
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.slow
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1500,1000", "about:blank"]
TIMEOUT = 90


class DevTools:
    """One page of the browser, over the Chrome DevTools Protocol: commands, awaited events, evaluations."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.counter = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=TIMEOUT))
            if message.get("id") == self.counter:
                assert "error" not in message, message["error"]
                result: dict[str, Any] = message["result"]
                return result
            self.events.append(message)

    def wait_for(self, event: str) -> None:
        while not any(message.get("method") == event for message in self.events):
            self.events.append(json.loads(self.socket.recv(timeout=TIMEOUT)))
        self.events.clear()

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression; a promise is awaited."""
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result["result"].get("description")
        return result["result"].get("value")


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    profile = tmp_path_factory.mktemp("chromium-network")
    process = subprocess.Popen([chromium, f"--user-data-dir={profile}", *FLAGS], stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:  # Chromium names its DevTools port on stderr once it listens
            found = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if found:
                break
        else:
            pytest.fail("Chromium did not start its DevTools server")
        pages = httpx.get(f"http://127.0.0.1:{found.group(1)}/json/list", timeout=10).json()
        target = next(page for page in pages if page["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None) as socket:
            tools = DevTools(socket)
            tools.call("Page.enable")
            yield tools
    finally:
        process.terminate()
        process.wait(timeout=30)


def _open(browser: DevTools, url: str) -> None:
    browser.call("Page.navigate", url=url)
    browser.wait_for("Page.loadEventFired")
    browser.evaluate("window.cgNetwork.ready")


def test_network_page_draws_filters_and_opens_a_node_panel(browser: DevTools, server: str,
                                                           tmp_path: Path) -> None:
    _open(browser, f"{server}/network")
    everything = browser.evaluate("window.cgNetwork.cy.nodes().length")
    assert everything == int(browser.evaluate("document.getElementById('cg-net-summary').dataset.nodes")) > 100
    assert browser.evaluate("document.querySelectorAll('#cg-net-graph canvas').length") >= 1
    assert browser.evaluate("document.querySelectorAll('#cg-net-brokers tbody tr').length") == 10

    # Choosing COSME in the form redraws the view with its partners only.
    cosme = browser.evaluate("""(() => { const select = document.querySelector('select[name=programme]');
        select.value = 'cosme'; select.dispatchEvent(new Event('change', { bubbles: true }));
        return window.cgNetwork.ready.then(() => window.cgNetwork.cy.nodes().length); })()""")
    assert cosme == 11 < everything
    assert browser.evaluate("location.search") == "?programme=cosme"
    assert "programme=cosme" in browser.evaluate("document.getElementById('cg-net-gexf').href")

    # A real click on MEDVIA where cytoscape drew it opens its panel.
    x, y = browser.evaluate("""(() => { const node = window.cgNetwork.cy.nodes().filter(n => n.data('label') === 'MEDVIA')[0];
        const box = document.getElementById('cg-net-graph').getBoundingClientRect();
        const at = node.renderedPosition(); return [box.left + at.x, box.top + at.y]; })()""")
    assert browser.evaluate("document.getElementById('cg-net-panel').hidden") is True
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
    panel = browser.evaluate("""(() => { const panel = document.getElementById('cg-net-panel');
        return { hidden: panel.hidden, text: panel.innerText, link: panel.querySelector('a').getAttribute('href') }; })()""")
    assert panel["hidden"] is False
    assert panel["text"].startswith("MEDVIA") and "Belgium" in panel["text"]
    assert "European Cluster Excellence Partnership" in panel["text"] and "Imago-Mol Cluster (RO)" in panel["text"]
    assert panel["link"] == "/organisation/medvia"

    shot = browser.call("Page.captureScreenshot", format="png")
    (tmp_path / "network-page.png").write_bytes(base64.b64decode(shot["data"]))
    assert (tmp_path / "network-page.png").stat().st_size > 20_000


def test_a_link_with_a_programme_label_draws_what_the_api_answers_for_it(browser: DevTools, server: str) -> None:
    """``?programme=COSME`` (the label) draws the COSME network with COSME in the select, not the whole network."""
    api = httpx.get(f"{server}/api/network", params={"programme": "COSME"}, timeout=TIMEOUT).json()
    _open(browser, f"{server}/network?programme=COSME")
    assert browser.evaluate("document.querySelector('select[name=programme]').value") == "cosme"
    drawn = browser.evaluate("""({ nodes: window.cgNetwork.cy.nodes().map(n => n.id()).sort(),
        edges: window.cgNetwork.cy.edges().length,
        summary: Number(document.getElementById('cg-net-summary').dataset.nodes),
        gexf: document.getElementById('cg-net-gexf').href })""")
    assert drawn["nodes"] == sorted(node["id"] for node in api["nodes"]) and drawn["summary"] == 11
    assert drawn["edges"] == len(api["links"]) == 34
    download = httpx.get(drawn["gexf"], timeout=TIMEOUT)  # the download link names the same view
    assert download.status_code == 200 and "network-cosme" in download.headers["content-disposition"]


def test_an_unknown_programme_is_named_and_nothing_is_drawn(browser: DevTools, server: str) -> None:
    browser.call("Page.navigate", url=f"{server}/network?programme=Atlantis")
    browser.wait_for("Page.loadEventFired")
    shown = browser.evaluate("""({ text: document.getElementById('cg-net-summary').innerText,
        drawn: window.cgNetwork.cy === null, search: location.search,
        canvases: document.querySelectorAll('#cg-net-graph canvas').length })""")
    assert shown["text"].startswith("no programme 'Atlantis' in the graph; known: ")
    assert shown["drawn"] is True and shown["canvases"] == 0 and shown["search"] == "?programme=Atlantis"
    # Choosing again draws the chosen view.
    cosme = browser.evaluate("""(() => { const select = document.querySelector('select[name=programme]');
        select.value = 'cosme'; select.dispatchEvent(new Event('change', { bubbles: true }));
        return window.cgNetwork.ready.then(() => window.cgNetwork.cy.nodes().length); })()""")
    assert cosme == 11
    assert "cg-net-refused" not in browser.evaluate("document.getElementById('cg-net-summary').className")
