"""Two replicas on loopback behind Debian's nginx running deploy/nginx.conf (the file docs/deploy.md shows),
driven by the protocol client (bench/classroom/client.py) as browsers would drive them.

Which replica holds a session is asked of the replicas themselves: each runs as bench/load_server.py, whose
census lists the ids of its connected sessions; the client knows its own session's id.
"""

import json
import signal
import time
from pathlib import Path

import pytest

from bench.classroom.client import Session
from bench.classroom.front import CONFIG, NginxFront, nginx_binary, rendered_config
from bench.load import census
from tests.e2e.conftest import StreamlitServer

REPO = Path(__file__).resolve().parents[2]
VISITORS = 60  # sessions opened to see the spread: with 60, a fair coin leaves 30–70% in all but 2 in 1,000
PLAYING = 2  # sessions per replica that train through the kill
COOKIE_SECRET = "replica-test"  # one secret for all replicas, as docs/deploy.md asks
WAIT = 180.0  # seconds any one wait may take on a busy machine


def test_the_deploy_doc_shows_the_tested_config_file() -> None:
    doc = (REPO / "docs" / "deploy.md").read_text()
    assert f"```nginx\n{CONFIG.read_text()}```" in doc


def test_rendering_changes_only_the_addresses() -> None:
    original = CONFIG.read_text().splitlines()
    rendered = rendered_config([9001, 9002], 9100).splitlines()
    changed = [(a, b) for a, b in zip(original, rendered, strict=True) if a != b]
    assert [b.split()[:2] for _, b in changed] == [
        ["server", "127.0.0.1:9001"],
        ["server", "127.0.0.1:9002"],
        ["listen", "127.0.0.1:9100;"],
    ]


@pytest.fixture
def replicas(tmp_path: Path):
    """Two replicas (with a census each) and nginx in front of them."""
    if nginx_binary() is None:
        pytest.fail("nginx is missing: `make test` installs Debian's nginx package")
    servers = [
        StreamlitServer(
            tmp_path,
            module="bench.load_server",
            env={
                "LOAD_CENSUS": str(tmp_path / f"census_{i}.json"),
                "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
            },
        )
        for i in range(2)
    ]
    front = NginxFront([s.port for s in servers], tmp_path / "nginx")
    yield servers, front, [tmp_path / f"census_{i}.json" for i in range(2)]
    front.stop()
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def holders(sessions: list[Session], paths: list[Path], alive: tuple[int, ...] = (0, 1)) -> list[int | None]:
    """For each session, the replica whose census lists it as connected (None: none does)."""
    connected = {i: set(census(paths[i])["connected_session_ids"]) for i in alive}
    return [next((i for i in alive if s.session_id in connected[i]), None) for s in sessions]


def epoch(session: Session) -> int:
    return int((session.metric("Epoch") or "0").replace(",", ""))


def test_sessions_spread_stick_and_move_when_their_replica_dies(replicas) -> None:
    servers, front, paths = replicas
    visitors = [Session(front.url, timeout=WAIT) for _ in range(VISITORS)]
    for visitor in visitors:
        visitor.open("")
    where = holders(visitors, paths)
    assert None not in where, f"sessions that no replica holds: {where}"
    share = where.count(0) / len(where)
    assert 0.3 <= share <= 0.7, f"replica 0 holds {share:.0%} of {len(where)} sessions"

    # A dropped WebSocket (a network blip) reconnects through nginx to its replica, which resumes the session.
    for visitor in visitors:
        visitor.drop()
    for visitor in visitors:
        visitor.wait(lambda v=visitor: v.connects == 2 and v.full_runs >= 2 and not v.running, "reconnect")
    assert holders(visitors, paths) == where

    # Two sessions per replica train, each with its own setup from its link; the others leave.
    chosen = [
        v for r in (0, 1) for v in [v for v, w in zip(visitors, where, strict=True) if w == r][:PLAYING]
    ]
    for visitor in visitors:
        if visitor not in chosen:
            visitor.close()
    replica = [where[visitors.index(s)] for s in chosen]
    setups = [("spiral", 11), ("xor", 12), ("moons", 13), ("gauss", 14)]
    for session, (dataset, seed) in zip(chosen, setups, strict=True):
        session.open("playground", f"dataset={dataset}&seed={seed}&hidden=4,4")
        session.click("Play")
        session.wait(lambda s=session: epoch(s) > 0 and s.has_button("Pause"), "training")

    dead = 0
    servers[dead].process.send_signal(signal.SIGKILL)  # a crash: no shutdown code runs
    servers[dead].process.wait(timeout=30)
    moved = [s for s, r in zip(chosen, replica, strict=True) if r == dead]
    stayed = [s for s, r in zip(chosen, replica, strict=True) if r != dead]
    before = {id(s): (s.session_id, s.connects, epoch(s)) for s in stayed}
    old_ids = {id(s): s.session_id for s in moved}

    # The dead replica's sessions reconnect through nginx to the other one: a new session there, whose
    # page comes back from the link with the same setup (the training progress is lost, as deploy.md says).
    for session in moved:
        session.wait(lambda s=session: s.connects == 3 and s.full_runs > 0 and s.has_button("Play"), "moved")
        session.wait(lambda s=session: s.session_id != old_ids[id(s)] and not s.running, "new session")
    assert set(holders(moved, paths, alive=(1 - dead,))) == {1 - dead}
    for session in moved:
        dataset, seed = setups[chosen.index(session)]
        assert session.widget("Dataset").proto.raw_value == dataset
        assert session.widget("Seed").proto.value == seed
        assert f"dataset={dataset}" in session.query_string and f"seed={seed}" in session.query_string
        assert session.errors == []

    # The other replica's sessions see nothing: same connection, same session, still training.
    time.sleep(3)
    for session in stayed:
        session_id, connects, epochs = before[id(session)]
        assert (session.session_id, session.connects) == (session_id, connects)
        assert session.has_button("Pause") and session.errors == []
        session.wait(lambda s=session, e=epochs: epoch(s) > e, "still training")
    assert set(holders(stayed, paths, alive=(1 - dead,))) == {1 - dead}
    for session in chosen:
        session.close()
    print(json.dumps({"replica_0_share": share, "moved": len(moved), "stayed": len(stayed)}))
