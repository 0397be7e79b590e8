"""One learner's Streamlit session driven at the protocol level, as the browser's frontend drives it.

The frontend holds one WebSocket to `/_stcore/stream` (subprotocol `streamlit`, its XSRF token and the last
session id as two more entries, an Origin header) and speaks the installed streamlit's protobufs: it sends
`BackMsg.rerun_script` (the page, the query string, the widget states: a button's one-shot trigger, a
slider's value, a text) and reads `ForwardMsg`s: deltas that put elements and blocks at their paths, the end
of each script run (which clears what that run did not draw again), `auto_rerun` (a `run_every` fragment,
rerun by a browser timer at its interval, whether or not the last one has finished), the message cache
(`ref_hash` for an element it already holds). This client does the same, minus the drawing: it keeps the
page as a dict of elements by delta path, so a caller reads what the page shows (a metric, a button's label,
a picture) and waits for it to change. No browser, so one core holds many learners (bench/classroom/README).

It uses threads for the receiving loop and the fragment timers; under Locust (gevent's monkey patching)
they are greenlets. When the connection drops it reconnects like the frontend: the same address (through a
balancer: the same cookies), its last session id, then a full rerun of the current page with its query
string and widget states.
"""

import contextlib
import http.cookiejar
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import websocket
from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus
CLEARING = (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
NO_XSRF = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no XSRF cookie
RECONNECT_EVERY = 0.5  # seconds between two attempts to reconnect


class SessionError(RuntimeError):
    """The page showed an exception, a page was not found, or a wait ran out."""


@dataclass
class Node:
    """One element or block of the page, as the last delta at its path made it."""

    path: tuple[int, ...]
    kind: str  # the element's type ("button", "metric", "imgs", ...) or "block"
    proto: Message  # the element's own message (Button, Metric, ...), or the Block
    fragment_id: str  # the fragment that drew it ("" for the page itself)
    run_id: str  # the script run that drew it last


@dataclass
class Cached:
    """A cacheable ForwardMsg the server may later send as a `ref_hash` only."""

    msg: ForwardMsg
    run_count: int  # script runs seen when it was last delivered
    fragment_id: str


class Session:
    """A learner's browser tab, minus the browser: open pages, press buttons, set widgets, read the page."""

    def __init__(self, base_url: str, reconnect: bool = True, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.reconnect = reconnect
        self.timeout = timeout  # seconds any one wait may take
        self.nodes: dict[tuple[int, ...], Node] = {}
        self.query_string = ""
        self.page_hash = ""  # the current page's script hash (sent with every rerun)
        self.pages: dict[str, str] = {}  # url path name -> page script hash, from the navigation message
        self.session_id = ""  # the server's id of this session (sent back on reconnect)
        self.run_id = ""  # the script run in progress or last finished
        self.fragment_run: list[str] = []  # fragment ids of that run ([] for a full run)
        self.running = False
        self.finished_runs = 0  # script runs finished so far (full or fragment)
        self.full_runs = 0  # full runs finished so far
        self.errors: list[str] = []  # exceptions shown, pages not found
        self.connects = 0  # websocket connections opened (1 + reconnections)
        self.disconnected_at: float | None = None
        self.bytes_received = 0
        self._values: dict[str, WidgetState] = {}  # widgets the learner has set (id -> state)
        self._cache: dict[str, Cached] = {}
        self._max_cache_age = 2
        self._timers: dict[str, tuple[float, threading.Event]] = {}  # fragment id -> interval, stop
        self._changed = threading.Condition()
        self._send_lock = threading.Lock()
        self._cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self._cookies))
        self._ws: websocket.WebSocket | None = None
        self._closed = False
        self._receiver: threading.Thread | None = None

    # --- connection ---------------------------------------------------------------------------------

    def load(self, path: str = "/") -> None:
        """GET a page's HTML as the browser does first (a balancer's cookie arrives with it)."""
        with self._opener.open(self.base_url + path, timeout=self.timeout) as response:
            response.read()

    def connect(self) -> None:
        """Open the WebSocket (with the cookies and the last session id) and start reading from it."""
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        xsrf = next((c.value for c in self._cookies if c.name == "_streamlit_xsrf"), NO_XSRF)
        protocols = ["streamlit", xsrf] + ([self.session_id] if self.session_id else [])
        cookie = "; ".join(f"{c.name}={c.value}" for c in self._cookies)
        self._ws = websocket.create_connection(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=protocols,
            origin=f"{parts.scheme}://{parts.netloc}",
            cookie=cookie or None,
            timeout=self.timeout,
            enable_multithread=True,
        )
        self._ws.settimeout(None)
        self.connects += 1
        self.disconnected_at = None
        self._receiver = threading.Thread(target=self._receive, args=(self._ws,), daemon=True)
        self._receiver.start()

    def close(self) -> None:
        """Close the tab: the connection and every fragment timer."""
        self._closed = True
        self._stop_timers()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                self._ws.close()

    def drop(self) -> None:
        """Lose the connection without closing the tab (as a network blip or a dead server would): the
        client reconnects by itself when `reconnect` is on."""
        if self._ws is not None:
            with contextlib.suppress(Exception):
                self._ws.sock.shutdown(2)

    # --- what the learner does ----------------------------------------------------------------------

    def open(self, page: str, query: str = "") -> float:
        """Open `page` (its URL path name, "" for the home page) by deep link, with `query`: the first
        visit of a tab (GET the HTML, connect) or a later one (a full rerun for that page, as the frontend
        sends it after a link). Returns seconds until that run finished."""
        started = time.perf_counter()
        if self._ws is None:
            self.load("/" + page + (f"?{query}" if query else ""))
            self.connect()
        self.query_string = query
        self.page_hash = ""
        runs = self.full_runs
        self._rerun(page_name=page)
        self.wait(lambda: self.full_runs > runs and not self.running, f"open {page}")
        return time.perf_counter() - started

    def navigate(self, page: str) -> float:
        """Go to `page` through the app's navigation (the sidebar link): a rerun with its script hash.
        Returns seconds until that run finished."""
        started = time.perf_counter()
        self.page_hash = self.pages[page]
        self.query_string = ""
        with self._changed:
            self._stop_timers()  # the frontend drops the old page's timers on a page change
        runs = self.full_runs
        self._rerun()
        self.wait(lambda: self.full_runs > runs and not self.running, f"navigate to {page}")
        return time.perf_counter() - started

    def click(self, label: str) -> None:
        """Press the button labelled `label`: a rerun with its trigger (of its fragment, when in one)."""
        node = self.widget(label, ("button",))
        self._rerun(node.fragment_id, triggers=[WidgetState(id=node.proto.id, trigger_value=True)])

    def set_value(self, label: str, value: object) -> None:
        """Give the widget labelled `label` a new value, as the learner's input would: a rerun with it."""
        node = self.widget(label)
        state = WidgetState(id=node.proto.id)
        if node.kind == "slider" and node.proto.options:  # a select_slider sends option labels
            state.string_array_value.data[:] = [str(value)]
        elif node.kind == "slider":
            state.double_array_value.data[:] = [float(value)]
        elif node.kind in ("selectbox", "text_area", "text_input"):
            state.string_value = str(value)
        elif node.kind == "number_input":
            state.double_value = float(value)
        elif node.kind in ("button_group", "multiselect"):
            state.string_array_value.data[:] = (
                list(value) if isinstance(value, list | tuple) else [str(value)]
            )
        elif node.kind == "checkbox":
            state.bool_value = bool(value)
        else:
            raise SessionError(f"cannot set a {node.kind} widget")
        self._values[state.id] = state
        self._rerun(node.fragment_id)

    # --- what the page shows ------------------------------------------------------------------------

    def elements(self, kind: str) -> list[Node]:
        """The page's elements of one type, in page order."""
        with self._changed:
            return [n for _, n in sorted(self.nodes.items()) if n.kind == kind]

    def widget(self, label: str, kinds: tuple[str, ...] | None = None) -> Node:
        """The widget labelled `label` (the first in page order); SessionError if the page has none."""
        with self._changed:
            for _, node in sorted(self.nodes.items()):
                kind_ok = kinds is None or node.kind in kinds
                if getattr(node.proto, "label", None) == label and kind_ok and hasattr(node.proto, "id"):
                    return node
        raise SessionError(f"no widget labelled {label!r} on the page")

    def has_button(self, label: str) -> bool:
        with self._changed:
            return any(n.kind == "button" and n.proto.label == label for n in self.nodes.values())

    def metric(self, label: str) -> str | None:
        """The value a metric labelled `label` shows, None if there is none."""
        for node in self.elements("metric"):
            if node.proto.label == label:
                return node.proto.body
        return None

    def markdown(self) -> list[str]:
        """The text of every markdown element, in page order."""
        return [n.proto.body for n in self.elements("markdown")]

    def pictures(self) -> tuple[str, ...]:
        """A fingerprint of every picture shown (length and tail of its source): changes on a redraw."""
        sources = [img.url for n in self.elements("imgs") for img in n.proto.imgs]
        return tuple(f"{len(s)}:{s[-40:]}" for s in sources)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float | None = None) -> float:
        """Wait until `condition()` holds (checked after each message); SessionError after `timeout`
        seconds, or at once when the page shows an exception. Returns the seconds waited."""
        started = time.perf_counter()
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._changed:
            while not condition():
                if self.errors:
                    raise SessionError(f"{what}: {self.errors[0]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SessionError(f"{what}: not within {timeout or self.timeout:.0f} s")
                self._changed.wait(min(left, 0.5))
        return time.perf_counter() - started

    def watch(self, look: Callable[[], bool], seconds: float) -> bool:
        """Call `look()` now and after every message for `seconds`, or until it returns True (whether it
        did): reads each state of the page as it arrives, without polling."""
        deadline = time.monotonic() + seconds
        with self._changed:
            while not look():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    # --- the protocol -------------------------------------------------------------------------------

    def _rerun(
        self,
        fragment_id: str = "",
        auto: bool = False,
        triggers: list[WidgetState] | None = None,
        page_name: str = "",
    ) -> None:
        """Send `rerun_script` as the frontend's sendRerunBackMsg does."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_hash
        state.page_name = page_name if not self.page_hash else ""
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        with self._changed:
            values = {**self._values, **{t.id: t for t in triggers or []}}
            state.cached_message_hashes.extend(self._cache)
        state.widget_states.widgets.extend(values.values())
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/{page_name}"
        self._send(msg)

    def _send(self, msg: BackMsg) -> None:
        ws = self._ws
        if ws is None or self.disconnected_at is not None:
            return  # the frontend drops what it cannot send while disconnected
        with self._send_lock, contextlib.suppress(websocket.WebSocketException, OSError):
            ws.send_binary(msg.SerializeToString())

    def _receive(self, ws: websocket.WebSocket) -> None:
        """Read and apply every ForwardMsg until the connection ends; then reconnect (unless closed)."""
        try:
            while True:
                data = ws.recv()
                if not data:
                    break
                self.bytes_received += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                with self._changed:
                    self._apply(msg)
                    self._changed.notify_all()
        except (websocket.WebSocketException, OSError, ValueError):
            pass
        with self._changed:
            self.disconnected_at = time.monotonic()
            self.running = False
            self._changed.notify_all()
        if not self._closed and self.reconnect and ws is self._ws:
            self._stop_timers()
            self._reconnect()

    def _reconnect(self) -> None:
        """Try again every RECONNECT_EVERY seconds; once in, rerun the page as the frontend does."""
        deadline = time.monotonic() + self.timeout
        while not self._closed and time.monotonic() < deadline:
            time.sleep(RECONNECT_EVERY)
            try:
                self.connect()
            except (websocket.WebSocketException, OSError):
                continue
            self._rerun()
            return

    def _apply(self, msg: ForwardMsg) -> None:
        """What the frontend's handleMessage does with one ForwardMsg (drawing aside)."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"cached message {msg.ref_hash} missing")
                return
            cached.run_count = self.finished_runs
            full = ForwardMsg()
            full.CopyFrom(cached.msg)
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, "delta"
        elif msg.metadata.cacheable:
            self._cache[msg.hash] = Cached(msg, self.finished_runs, msg.delta.fragment_id)
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            self._finished(msg.script_finished)
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "navigation":  # with st.navigation the current page comes from here
            for page in msg.navigation.app_pages:
                self.pages[page.url_pathname] = page.page_script_hash
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            self._schedule(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name}")

    def _new_session(self, msg: ForwardMsg) -> None:
        """A script run starts: a full run drops every fragment timer (the frontend's cleanupAutoReruns)."""
        self.run_id = msg.metadata.run.script_run_id
        self.fragment_run = list(msg.metadata.run.fragment_ids)
        self.running = True
        if msg.new_session.HasField("initialize"):
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        self._max_cache_age = msg.new_session.config.max_cached_message_age or self._max_cache_age
        if not self.fragment_run:
            self._stop_timers()

    def _delta(self, msg: ForwardMsg) -> None:
        delta, path = msg.delta, tuple(msg.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "new_element":
            kind = delta.new_element.WhichOneof("type")
            proto = getattr(delta.new_element, kind)
            if kind == "exception":
                self.errors.append(f"exception shown: {proto.type}: {proto.message[:300]}")
        elif which == "add_block":
            kind, proto = "block", delta.add_block
        else:
            return  # rows added to a chart, transient elements (spinners): nothing a learner reads here
        self.nodes[path] = Node(path, kind, proto, delta.fragment_id, self.run_id)

    def _finished(self, status: int) -> None:
        """A run ended: it clears what it did not draw again (a fragment run, only inside its fragments),
        and the message cache forgets what it has not seen for a few runs."""
        if status in CLEARING:
            fragments = self.fragment_run
            self.nodes = {
                path: node
                for path, node in self.nodes.items()
                if node.run_id == self.run_id or (fragments and node.fragment_id not in fragments)
            }
        self.finished_runs += 1
        if not self.fragment_run and status != FINISHED.FINISHED_EARLY_FOR_RERUN:
            self.full_runs += 1
        self.running = False
        self._cache = {
            key: entry
            for key, entry in self._cache.items()
            if (self.fragment_run and entry.fragment_id not in self.fragment_run)
            or self.finished_runs - entry.run_count <= self._max_cache_age
        }

    def _schedule(self, fragment_id: str, interval: float) -> None:
        """A `run_every` fragment: rerun it every `interval` seconds, like the frontend's setInterval."""
        if fragment_id in self._timers and self._timers[fragment_id][0] == interval:
            return
        self._stop_timer(fragment_id)
        stop = threading.Event()
        self._timers[fragment_id] = (interval, stop)

        def tick() -> None:
            while not stop.wait(interval):
                self._rerun(fragment_id, auto=True)

        threading.Thread(target=tick, daemon=True).start()

    def _stop_timer(self, fragment_id: str) -> None:
        timer = self._timers.pop(fragment_id, None)
        if timer is not None:
            timer[1].set()

    def _stop_timers(self) -> None:
        for fragment_id in list(self._timers):
            self._stop_timer(fragment_id)
