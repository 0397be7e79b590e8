"""Classroom load test: N simulated learners take the tour at once (bench/classroom/tour.py) through the
protocol client, with Locust as the harness; the server is pinned to one core and the learners to another.

    .venv/bin/python bench/classroom/run.py --learners 1 5 10 20 30        # one server on CPU 0
    .venv/bin/python bench/classroom/run.py --learners 30 --replicas 2     # two replicas behind nginx
    .venv/bin/python bench/classroom/run.py --learners 20 --profile        # + py-spy of the server
    .venv/bin/python bench/classroom/run.py --first-opens                  # each page on a fresh server

For each N: fresh servers (bench/load_server.py: `python -m streamlit run app.py` with a look inside), each
pinned with taskset (one replica: CPU 0; two: CPU 0 and CPU 1, behind Debian's nginx running
deploy/nginx.conf), then `locust --headless` with N users spawned --spawn-rate a second on --loadgen-cpus
(CPU 1), each taking the tour once. Learners train together: each waits after Play until all have pressed
it (Locust's --together), so their training windows coincide and the sum of their epochs/s is the server's
total. Meanwhile every 0.5 s: each server's resident memory and its training workers (OS threads named
np-trainer). Then 5 s after the last tab closed: the workers left (must be 0).

Timings come from the learners' own clocks: a click is from sending the rerun to the page showing its result
(the epoch counter moves, Play is back, the photo's top class, NEGATIVE); an open is from the navigation to
its script run's end with the page usable. Locust's CSV (--out/locust_<N>_*.csv) has the same per name.
The load generator's own CPU (user + system of the Locust process) per learner is reported: it must stay
small for the learners not to take the server's core. --first-opens starts a fresh server on one core for
each page and times its first open by deep link once the server's background warm-up is done (serve.py).

Prints one JSON line per N (also in --out/classroom_<N>x<replicas>.json), then a Markdown table.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from bench.classroom.client import Session  # noqa: E402
from bench.classroom.front import NginxFront  # noqa: E402
from bench.load import census, cpu_seconds, load_average, memory_mb, quantile, workers  # noqa: E402
from bench.load_server import thread_kind  # noqa: E402
from core.runner import IDLE_TIMEOUT  # noqa: E402
from serve import DONE as WARM_UP_DONE  # noqa: E402
from tests.e2e.conftest import StreamlitServer  # noqa: E402

STEPS = ("playground_play", "playground_pause", "image_classify", "sentiment_run", "cnn_play", "cnn_pause")
PAGES = ("/playground", "/image_classification", "/sentiment", "/cnn")
COOKIE_SECRET = "classroom-bench"  # one secret for all replicas, as docs/deploy.md asks
COLUMNS = [
    "N",
    "servers",
    "errors",
    "click p50 / p95 s",
    "open p50 / p95 s",
    "slowest step (p95 s)",
    "redraws/s per learner min / median",
    "epochs/s per learner min / median · total",
    "server CPU, cores",
    "RSS idle / peak MB",
    "workers max / 5 s after",
    "load generator, % of a core per learner",
    "load 1/5/15 min before → after",
]


def start_servers(out: Path, replicas: int, cpus: list[str]) -> list[StreamlitServer]:
    """`replicas` fresh servers, each pinned to its CPU and with its own census file."""
    return [
        StreamlitServer(
            out,
            module="bench.load_server",
            cpus=cpus[i % len(cpus)],
            env={
                "LOAD_CENSUS": str(out / f"census_{i}.json"),
                "STREAMLIT_SERVER_COOKIE_SECRET": COOKIE_SECRET,
            },
        )
        for i in range(replicas)
    ]


def watch(pids: list[int], seen: dict, stop: threading.Event) -> None:
    """Every 0.5 s until `stop`: the most workers alive at once and the peak RSS, over all servers."""
    while not stop.wait(0.5):
        seen["workers_max"] = max(seen.get("workers_max", 0), sum(workers(p) for p in pids))
        seen["rss_max"] = max(seen.get("rss_max", 0.0), sum(memory_mb(p)["VmRSS"] for p in pids))


def run_locust(url: str, learners: int, args: argparse.Namespace, out: Path) -> tuple[list[dict], float]:
    """Locust headless on the load generator's CPUs; the tours' results and its CPU seconds."""
    results = out / f"tours_{learners}.json"
    command = [
        *(["taskset", "-c", args.loadgen_cpus] if args.loadgen_cpus else []),
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(REPO / "bench" / "classroom" / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--users",
        str(learners),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.max_minutes}m",
        "--host",
        url,
        "--learners",
        str(learners),
        "--train-secs",
        str(args.train_secs),
        "--together",
        "--results",
        str(results),
        "--csv",
        str(out / f"locust_{learners}"),
    ]
    log = (out / f"locust_{learners}.log").open("w")
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    log.close()
    if not results.exists():
        raise RuntimeError(f"Locust wrote no results: see {log.name}")
    return json.loads(results.read_text()), usage.ru_utime + usage.ru_stime


def p50_p95(values: list[float]) -> list[float | None]:
    return [quantile(values, 0.5), quantile(values, 0.95)]


def summary(tours: list[dict]) -> dict:
    """The tours' timings and pace, per step and page and over all of them."""
    clicks = [s for t in tours for s in t["clicks"].values()]
    opens = [s for t in tours for s in t["opens"].values()]
    paces = [t["pace"] for t in tours if t["pace"]]
    epochs = [p["epochs_per_s"] for p in paces]
    redraws = [p["redraws_per_s"] for p in paces]
    errors = [t["error"] for t in tours if t["error"]]
    by_step = {step: p50_p95([t["clicks"][step] for t in tours if step in t["clicks"]]) for step in STEPS}
    return {
        "errors": len(errors),
        "first_errors": errors[:3],
        "click_p50_p95_s": p50_p95(clicks),
        "open_p50_p95_s": p50_p95(opens),
        "click_p50_p95_s_by_step": by_step,
        "open_p50_p95_s_by_page": {
            page: p50_p95([t["opens"][page] for t in tours if page in t["opens"]]) for page in PAGES
        },
        "pause_counter_stop_p95_s": quantile(
            [t["counter_stop"] for t in tours if t["counter_stop"] is not None], 0.95
        ),
        "paused_held": all(all(t["paused_held"].values()) for t in tours if t["paused_held"]),
        "redraws_per_s_min_median": [round(min(redraws), 2), round(statistics.median(redraws), 2)]
        if redraws
        else None,
        "epochs_per_s_min_median_total": [
            round(min(epochs)),
            round(statistics.median(epochs)),
            round(sum(epochs)),
        ]
        if epochs
        else None,
    }


def measure(learners: int, args: argparse.Namespace) -> dict:
    """One N on fresh servers: the tours, then the after-close look."""
    out = args.out / f"{learners}x{args.replicas}"
    out.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    servers = start_servers(out, args.replicas, args.server_cpus.split(","))
    front = (
        NginxFront([s.port for s in servers], Path(tempfile.mkdtemp(prefix="nginx-")))
        if args.replicas > 1
        else None
    )
    pids = [s.process.pid for s in servers]
    profiler = None
    try:
        for server in servers:  # learners arrive once the servers have paid their first-use costs
            wait_for_log(server, WARM_UP_DONE)
        result: dict = {"learners": learners, "replicas": args.replicas}
        result["rss_idle_mb"] = round(sum(memory_mb(p)["VmRSS"] for p in pids))
        seen: dict = {}
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(pids, seen, stop), daemon=True)
        watcher.start()
        if args.profile:
            profiler = start_profile(pids[0], out / "py-spy.txt", args)
        started, cpu = time.perf_counter(), [cpu_seconds(p) for p in pids]
        tours, loadgen_cpu = run_locust(front.url if front else servers[0].url, learners, args, out)
        tour_s = time.perf_counter() - started
        result["tour_s"] = round(tour_s, 1)
        result["server_cpu_cores"] = [
            round((cpu_seconds(p) - c) / tour_s, 2) for p, c in zip(pids, cpu, strict=True)
        ]
        result["loadgen_cpu_pct_per_learner"] = round(100 * loadgen_cpu / tour_s / learners, 2)
        result["load_after"] = load_average()
        stop.set()
        watcher.join()
        result["workers_max"] = seen.get("workers_max", 0)
        result["rss_peak_mb"] = round(seen.get("rss_max", 0.0))
        time.sleep(IDLE_TIMEOUT + 3.5)
        result["workers_5s_after_close"] = sum(workers(p) for p in pids)
        censuses = [census(out / f"census_{i}.json") for i in range(len(servers))]
        result["sessions_per_server"] = [c["sessions"] for c in censuses]
        # Where each server's CPU went since it started (warm-up included), by thread kind, from /proc.
        result["cpu_s_by_thread"] = [c["cpu_s_by_thread"] for c in censuses]
        result |= summary(tours)
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)  # py-spy writes its samples when interrupted
            profiler.wait(timeout=60)
        if front is not None:
            front.stop()
        for server in servers:
            server.stop()
    result["load_before"] = load_before
    if args.profile:
        result["profile"] = profile_summary(out / "py-spy.txt")
    return result


def start_profile(pid: int, path: Path, args: argparse.Namespace) -> subprocess.Popen:
    """py-spy sampling the server's threads (raw collapsed stacks) for the whole tour, without `--idle`.
    Threads waiting in Python (`Condition.wait`, a sleep) still show up in its samples on these machines,
    so where the CPU went is the census's `cpu_s_by_thread` (from /proc); the stacks say where they were."""
    spy = args.py_spy or shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("--profile needs py-spy (pip install py-spy; --py-spy PATH)")
    command = [spy, "record", "--pid", str(pid), "--rate", "50", "--format", "raw", "--threads"]
    return subprocess.Popen(
        [*(["taskset", "-c", args.loadgen_cpus] if args.loadgen_cpus else []), *command, "-o", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def profile_summary(path: Path, top: int = 15) -> dict:
    """From py-spy's collapsed stacks (`thread (TID): NAME;frame;...;frame COUNT`): the share of samples
    per thread kind, and the innermost frames of this repository (or the leaf) where they were."""
    if not path.exists():
        return {}
    threads: dict[str, int] = {}
    places: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        head, _, rest = stack.partition(";")
        frames = rest.split(";") if rest else [head]
        samples = int(count)
        total += samples
        kind = thread_kind(head.split("): ", 1)[-1])
        threads[kind] = threads.get(kind, 0) + samples
        ours = [f for f in frames if f.split("(")[-1].startswith(("core/", "ui/", "pages/", "app.py"))]
        place = f"{kind} | {ours[-1] if ours else frames[-1]} > {frames[-1].split(' ')[0]}"
        places[place] = places.get(place, 0) + samples
    share = {k: round(v / total, 3) for k, v in sorted(threads.items(), key=lambda kv: -kv[1])}
    busiest = {k: round(v / total, 3) for k, v in sorted(places.items(), key=lambda kv: -kv[1])[:top]}
    return {"samples": total, "threads": share, "busiest": busiest}


def first_opens(args: argparse.Namespace) -> dict:
    """Each page's first open by deep link on a fresh server (the app's command, serve.py) pinned to one
    core, once its warm-up logged that it is done: what the first visitor of each page waits."""
    pages = [p.strip() for p in args.pages.split(",")] if args.pages else None
    out = args.out / "first_opens"
    out.mkdir(parents=True, exist_ok=True)
    load_before = load_average()
    seconds: dict[str, float | str] = {}
    warm_ups: list[float] = []
    for page in pages or page_names(out):
        started = time.monotonic()
        server = StreamlitServer(out, module="serve", cpus=args.server_cpus.split(",")[0])
        try:
            wait_for_log(server, WARM_UP_DONE)
            warm_ups.append(round(time.monotonic() - started, 1))
            session = Session(server.url)
            try:
                seconds[f"/{page}"] = round(session.open(page), 2)
            except Exception as error:  # a page that fails is reported with its error, the others go on
                seconds[f"/{page}"] = f"{type(error).__name__}: {error}"
            finally:
                session.close()
        finally:
            server.stop()
    return {
        "first_open_s": seconds,
        "server_start_to_warm_s": warm_ups,
        "load_before": load_before,
        "load_after": load_average(),
    }


def wait_for_log(server: StreamlitServer, text: str, timeout: float = 600.0) -> None:
    """Wait until the server's log has `text`."""
    deadline = time.monotonic() + timeout
    while text not in server.log_path.read_text():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not log {text!r} within {timeout:.0f} s")
        time.sleep(0.5)


def page_names(out: Path) -> list[str]:
    """Every page's URL path name ("" is the home page), once each, as the app's navigation lists them."""
    server = StreamlitServer(out)
    try:
        session = Session(server.url)
        session.open("")
        session.close()
        by_hash = {page_hash: name for name, page_hash in reversed(list(session.pages.items()))}
        return sorted(by_hash.values())
    finally:
        server.stop()


def table_row(r: dict) -> str:
    """One Markdown row for the README."""
    step, worst = max(r["click_p50_p95_s_by_step"].items(), key=lambda kv: kv[1][1] or 0)
    cells = [
        r["learners"],
        r["replicas"],
        r["errors"],
        " / ".join(map(str, r["click_p50_p95_s"])),
        " / ".join(map(str, r["open_p50_p95_s"])),
        f"{step} {worst[1]}",
        " / ".join(map(str, r["redraws_per_s_min_median"] or ["–"])),
        "{} / {} · {}".format(*(r["epochs_per_s_min_median_total"] or ["–"] * 3)),
        " + ".join(map(str, r["server_cpu_cores"])),
        f"{r['rss_idle_mb']:,} / {r['rss_peak_mb']:,}",
        f"{r['workers_max']} / {r['workers_5s_after_close']}",
        r["loadgen_cpu_pct_per_learner"],
        f"{' '.join(map(str, r['load_before']))} → {' '.join(map(str, r['load_after']))}",
    ]
    return "| " + " | ".join(map(str, cells)) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--learners", type=int, nargs="+", default=[1, 5, 10, 20, 30], help="values of N")
    parser.add_argument("--replicas", type=int, default=1, help="servers; more than one: behind nginx")
    parser.add_argument("--train-secs", type=float, default=10.0, help="playground training per learner")
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="learners started per second")
    parser.add_argument("--server-cpus", default="0", help="CPU of each replica, e.g. 0 or 0,1")
    parser.add_argument("--loadgen-cpus", default="1", help="CPUs of Locust ('' for no pinning)")
    parser.add_argument("--max-minutes", type=int, default=10, help="Locust's --run-time, a safety net")
    parser.add_argument("--profile", action="store_true", help="sample the (first) server with py-spy")
    parser.add_argument("--py-spy", default="", help="py-spy's path when it is not on PATH")
    parser.add_argument("--first-opens", action="store_true", help="instead: each page's first open")
    parser.add_argument("--pages", default="", help="with --first-opens: these pages (comma-separated)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "classroom")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.first_opens:
        print(json.dumps(first_opens(args)))
        return
    rows, over = [], None
    for learners in args.learners:
        result = measure(learners, args)
        (args.out / f"classroom_{learners}x{args.replicas}.json").write_text(json.dumps(result, indent=1))
        print(json.dumps(result), flush=True)
        rows.append(table_row(result))
        if over is None and (result["click_p50_p95_s"][1] or 0) > 2:
            over = learners
    print("\n| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    print("\n".join(rows))
    print(f"\nFirst N whose click p95 exceeds 2 s: {over if over is not None else 'none of these'}")


if __name__ == "__main__":
    main()
