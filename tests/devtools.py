"""A minimal Chrome DevTools Protocol client for browser tests that must type, click and take screenshots.

Debian's headless ``chromium`` is started with a DevTools pipe on a free port; commands go over a WebSocket
(``websockets``, installed with uvicorn[standard]). Waiting is done inside the page: ``wait_for`` evaluates a
JavaScript condition that resolves when it holds (bounded by ``limit_ms``), so no test sleeps or polls from Python.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--window-size=1280,1000"]


class Browser:
    """One headless Chromium with one page, driven over DevTools."""

    def __init__(self, chromium: str, profile: Path) -> None:
        self.process = subprocess.Popen([chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        stderr=subprocess.PIPE, text=True)
        assert self.process.stderr is not None
        for line in self.process.stderr:  # Chromium prints its DevTools address once it listens
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                break
        else:
            raise RuntimeError("chromium did not open its DevTools port")
        self.socket: ClientConnection = connect(found.group(1), max_size=None, open_timeout=30)
        self.ids = itertools.count(1)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session=True)

    def send(self, method: str, session: bool = False, wait: float = 60, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are skipped); ``wait`` bounds
        the silence before its answer."""
        message_id = next(self.ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            answer = json.loads(self.socket.recv(timeout=wait))
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("exception", {}).get("description", str(result)))
        return result["result"].get("value")

    def open(self, url: str, ready: str) -> None:
        """Load ``url`` and wait until the JavaScript condition ``ready`` holds."""
        self.evaluate("window.cgLeaving = true")  # the page being left may satisfy ``ready`` too: wait past it
        self.send("Page.navigate", session=True, url=url)
        self.wait_for(f"!window.cgLeaving && document.readyState === 'complete' && ({ready})")

    def wait_for(self, condition: str, limit_ms: int = 20000) -> None:
        """Wait, inside the page, until ``condition`` is true; fail with the condition when it never is.

        A click that navigates replaces the page the wait runs in; the wait then starts again in the new page
        (a bounded number of times).
        """
        for _ in range(3):
            try:
                held = self._wait(condition, limit_ms)
                break
            except RuntimeError as error:
                if "navigated or closed" not in str(error) and "context was destroyed" not in str(error):
                    raise
        else:
            held = False
        assert held, f"never true in the page: {condition}"

    def _wait(self, condition: str, limit_ms: int) -> bool:
        held = self.evaluate(f"""new Promise((resolve) => {{
            const started = performance.now();
            const check = () => {{
              let ok = false;
              try {{ ok = Boolean({condition}); }} catch (e) {{ ok = false; }}
              if (ok) resolve(true);
              else if (performance.now() - started > {limit_ms}) resolve(false);
              else requestAnimationFrame(check);
            }};
            check();
          }})""")
        return bool(held)

    def type(self, text: str) -> None:
        """Type ``text`` as keyboard input into the focused element."""
        for char in text:
            self.send("Input.insertText", session=True, text=char)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the page's viewport to ``path``."""
        # Painting a NUTS 3 map in software on a busy 2-core machine once took over a minute.
        data = self.send("Page.captureScreenshot", session=True, wait=300, format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
