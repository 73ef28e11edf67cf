"""Concurrent chat sessions against the real app over HTTP (issue 16, item 5: under load).

    .venv/bin/python eval/load_chat.py --out eval/results/load_chat              # the default app (LLM)
    .venv/bin/python eval/load_chat.py --out /tmp/load_chat_none --ranker none   # retrieval only

Starts `recommender chat` on a free loopback port (unknown flags, e.g. `--ranker none`, are passed to
it), waits until it serves, then runs --sessions scripted sessions at once, one gradio_client each (its
own session hash and gr.State), each: open the page as a new user, a free-form request naming its own
title, wait until every card is explained, Seen on card 2, wait, a refinement excluding its own genre,
wait (recommender/evaluation/load_chat.py). Afterwards every script is replayed alone, and each turn
must show the list and panel it showed under load. Bars: list p95 <= 2 s over all turns, every card of
every waited list explained within 60 s, no cross-talk. The app is stopped at the end, also on error.
Writes OUT.json and OUT.md. Exit status: 0 every bar held, 1 one did not, 2 the run could not be made.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIST_BAR_S, EXPLAIN_BAR_S = 2.0, 60.0
REFUSED = {"--host": "the app serves on 127.0.0.1 only", "--auth": "the sessions do not log in",
           "--port": "use this script's --port"}


def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False,
                                     epilog="Other flags go to `recommender chat`, e.g. --ranker none.")
    parser.add_argument("--sessions", type=int, default=8, help="concurrent sessions (default 8, at most 12)")
    parser.add_argument("--port", type=int, default=0, help="loopback port for the app (default: a free one)")
    parser.add_argument("--timeout-s", type=float, default=900,
                        help="bound on the sessions, then again on the replay alone (default 900)")
    parser.add_argument("--start-timeout-s", type=float, default=600,
                        help="bound on loading the app until it serves (default 600)")
    parser.add_argument("--explain-timeout-s", type=float, default=120,
                        help="stop waiting for one list's explanations after this (default 120; the bar is 60)")
    parser.add_argument("--poll-s", type=float, default=0.4, help="card redraw interval (default: the page's 0.4)")
    parser.add_argument("--no-replay", action="store_true", help="skip replaying each script alone")
    parser.add_argument("--out", default="eval/results/load_chat", help="writes OUT.json and OUT.md")
    args, chat_args = parser.parse_known_args(argv)
    for flag in chat_args:
        if flag.split("=", 1)[0] in REFUSED:
            parser.error(f"{flag.split('=', 1)[0]} is not passed on: {REFUSED[flag.split('=', 1)[0]]}")
    if not 1 <= args.sessions <= 12:
        parser.error(f"--sessions must be between 1 and 12, not {args.sessions}")
    if min(args.timeout_s, args.start_timeout_s, args.explain_timeout_s) <= 0 or args.poll_s < 0:
        parser.error("timeouts must be positive and --poll-s not negative")
    return args, chat_args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChatServer:
    """`recommender chat` in its own process group, stopped (group and all) on leaving the block."""

    def __init__(self, port: int, chat_args: list[str], log_path: Path):
        self.url = f"http://127.0.0.1:{port}/"
        self.command = [sys.executable, "-m", "recommender", "chat", "--host", "127.0.0.1", "--port", str(port),
                        *chat_args]
        self.log_path, self.process, self.status, self.start_s = log_path, None, "", None

    def __enter__(self) -> ChatServer:
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(self.command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        started = time.monotonic()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        last_print = 0.0
        while time.monotonic() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"`recommender chat` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with opener.open(self.url, timeout=2) as response:
                    if response.status == 200:
                        self.start_s = round(time.monotonic() - started, 1)
                        lines = self.log_path.read_text(errors="replace").splitlines()
                        self.status = next((line[len("ready: "):] for line in lines if line.startswith("ready: ")), "")
                        return
            except OSError:
                pass
            if time.monotonic() - last_print > 15:
                last_print = time.monotonic()
                tail = self.log_tail(200).strip().splitlines()
                print(f"  loading ({time.monotonic() - started:.0f} s): {tail[-1] if tail else ''}", flush=True)
            time.sleep(1)
        raise TimeoutError(f"the app did not serve within {timeout_s:g} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def __exit__(self, *exc) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)  # the group this script started, nothing else
                self.process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                return


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    dirty = " + uncommitted changes" if git("status", "--porcelain", "-uno") else ""
    commit = git("rev-parse", "--short", "HEAD") + dirty
    return {"cpu": model, "cpus": os.cpu_count(), "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "commit": commit}


def write_report(out: Path, report: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    out.with_suffix(".md").write_text(markdown(report))


def _s(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(report: dict) -> str:
    s, m, app = report["summary"], report["machine"], report["app"]
    lines = [f"# Chat under load: {s['sessions']} concurrent sessions", "",
             f"Command: `{report['command']}`", "",
             f"App: {app.get('status') or '(no status line)'}; ready in {_s(app.get('start_s'))} s", "",
             f"Machine: {m['cpu']}, {m['cpus']} CPUs, {m['system']}, python {m['python']}, commit {m['commit']}; "
             f"load average (1/5/15 min) {report['load_average_at_start']} at start, "
             f"{report['load_average_at_end']} at end", "",
             "| bar | held |", "|---|---|"]
    lines += [f"| {name} | {'yes' if held else '**no**'} |" for name, held in s["bars"].items()]
    lines += ["", f"Lists: {s['turns']} turns; median {_s(s['list_median_s'])} s, p95 {_s(s['list_p95_s'])} s, "
              f"max {_s(s['list_max_s'])} s. Explanations: {s['lists_explained']} of {s['lists_waited']} waited "
              f"lists within the bar; median {_s(s['explained_median_s'])} s, p95 {_s(s['explained_p95_s'])} s, "
              f"max {_s(s['explained_max_s'])} s (a card counts as explained once it shows its checked facts, "
              f"the plain rendering, with the list). The LLM done with every card: {s['lists_reworded']} of "
              f"{s['lists_waited']} lists within the bar; median {_s(s['reworded_median_s'])} s, p95 "
              f"{_s(s['reworded_p95_s'])} s.", "",
              "| step | turns | list median (s) | list p95 (s) |", "|---|---|---|---|"]
    lines += [f"| {step} | {v['n']} | {_s(v['median_s'])} | {_s(v['p95_s'])} |" for step, v in s["by_step"].items()]
    lines += ["", "Per session: list seconds / every card explained after / the LLM done after (s), per step.", "",
              "| session | request | refinement | open | message | seen | refine | problems |",
              "|---|---|---|---|---|---|---|---|"]
    for r in report["sessions"]:
        cells = {t["step"]: _s(t["seconds"]) + ("" if not t["waited"]
                                                else f" / {_s(t['explained_s'])} / {_s(t.get('reworded_s'))}")
                 for t in r["turns"]}
        steps = " | ".join(cells.get(step, "–") for step in ("open", "message", "seen", "refine"))
        spec = r["spec"]
        trouble = len(r["problems"]) + (1 if r["error"] else 0)
        lines.append(f"| {r['index']} | {spec['message']} | no {spec['exclude'].lower()} | {steps} | {trouble} |")
    lines += ["", "## Cross-talk and errors", ""]
    found = s["errors"] + s["problems"]
    lines += [f"- {line}" for line in found] or ["None found: every session saw only its own transcript, cards "
                                                  "and panel" + (", and the same lists and panels when replayed "
                                                                 "alone." if report["replayed_alone"] else ".")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args, chat_args = parse_args(argv)
    from recommender.evaluation.load_chat import replay_alone, run_sessions, summarize
    from recommender.evaluation.load_checks import default_specs

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))  # so that `finally` stops the app
    command = shlex.join([".venv/bin/python", "eval/load_chat.py", *(argv if argv is not None else sys.argv[1:])])
    report = {"command": command, "machine": machine(),
              "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    specs = default_specs(args.sessions)
    log_path = Path(tempfile.mkstemp(prefix="load_chat_", suffix=".log")[1])
    server = ChatServer(args.port or free_port(), chat_args, log_path)
    print(f"starting: {shlex.join(server.command)} (log: {log_path})", flush=True)
    try:
        with server:
            server.wait_ready(args.start_timeout_s)
            print(f"ready in {server.start_s} s: {server.status}", flush=True)
            results = run_sessions(server.url, specs, timeout_s=args.timeout_s, poll_s=args.poll_s,
                                   explain_timeout_s=args.explain_timeout_s)
            if not args.no_replay:
                print("replaying each script alone …", flush=True)
                replay_alone(server.url, specs, results, timeout_s=args.timeout_s)
    except Exception as exc:  # the app is stopped by now; say what went wrong in one line (+ the app's log)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    summary = summarize(results, LIST_BAR_S, EXPLAIN_BAR_S)
    report.update({
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "app": {"command": shlex.join(server.command[1:]), "status": server.status, "start_s": server.start_s},
        "settings": {k: v for k, v in vars(args).items() if k != "out"} | {"chat_flags": chat_args},
        "replayed_alone": not args.no_replay,
        "summary": dataclasses.asdict(summary),
        "sessions": [dataclasses.asdict(r) for r in results],
    })
    write_report(Path(args.out), report)
    print(f"lists: median {_s(summary.list_median_s)} s, p95 {_s(summary.list_p95_s)} s; explained: "
          f"{summary.lists_explained}/{summary.lists_waited} lists, max {_s(summary.explained_max_s)} s; "
          f"problems: {len(summary.problems)}, errors: {len(summary.errors)}", flush=True)
    for name, held in summary.bars.items():
        print(f"  {'held' if held else 'FAILED'}: {name}", flush=True)
    print(f"wrote {Path(args.out).with_suffix('.json')} and .md", flush=True)
    return 0 if summary.passed else 1


if __name__ == "__main__":
    sys.exit(main())
