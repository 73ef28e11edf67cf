"""Runs the chat-understanding benchmark's cases through the chat engine, one row per parser, and
formats the table (see recommender/evaluation/intent_bench.py for what is scored)."""

from __future__ import annotations

import copy
import statistics
from dataclasses import asdict, dataclass, field
from typing import Sequence

from recommender.evaluation.intent_bench import (FIELDS, Case, catalogue_ceiling, field_matches, fields_of,
                                                 gold_fields, precision_at_10, snapshot, state_for)

ROWS = {"rules": "rule parser", "llm": "LLM intent model", "auto": "product (rules where exact, else LLM)"}


@dataclass
class CaseResult:
    id: str
    message: str
    precision: float
    wrong_fields: list[str]
    parser: str
    invalid: bool
    seconds: float
    raw: str = ""
    ceiling: float = 1.0  # the precision a perfect list could reach in this catalogue


@dataclass
class RowResult:
    mode: str
    cases: list[CaseResult] = field(default_factory=list)

    def summary(self) -> dict:
        n = max(len(self.cases), 1)
        seconds = [c.seconds for c in self.cases]
        llm_calls = [c for c in self.cases if c.parser == "llm" or c.invalid]
        return {
            "row": ROWS[self.mode], "messages": len(self.cases),
            "precision_at_10": round(sum(c.precision for c in self.cases) / n, 4),
            "catalogue_ceiling": round(sum(c.ceiling for c in self.cases) / n, 4),
            "field_accuracy": {f: round(sum(f not in c.wrong_fields for c in self.cases) / n, 4) for f in FIELDS},
            "all_fields_right": round(sum(not c.wrong_fields for c in self.cases) / n, 4),
            "invalid_outputs": sum(c.invalid for c in self.cases),
            "llm_calls": len(llm_calls),
            "median_seconds_to_list": round(statistics.median(seconds), 3) if seconds else None,
            "p90_seconds_to_list": round(sorted(seconds)[int(0.9 * (len(seconds) - 1))], 3) if seconds else None,
        }


def run_case(engine, case: Case) -> CaseResult:
    """One message typed into the state its case gives, through `engine` (a ChatEngine)."""
    session = engine.new_session()
    session.dialogue = state_for(case, engine.titles)
    if session.dialogue.last_shown:
        session.request = session.dialogue.to_request(engine.recommender)
        session.recs = engine.recommender.recommendations_for(session.request, session.dialogue.last_shown)
        session.rows = [engine._row(p, rec) for p, rec in enumerate(session.recs, 1)]
    state_before = copy.deepcopy(session.dialogue)
    before = snapshot(session)
    turn = engine.message(session, case.message)
    after = snapshot(session)
    understood = session.understood
    got = fields_of(understood.update) if understood is not None else {}
    want = gold_fields(case, engine.titles, copy.deepcopy(state_before))
    wrong = [f for f in FIELDS if not field_matches(f, got.get(f), want[f])]
    precision = precision_at_10(case, session.rows, turn.reply, before, after, engine.catalog, engine.titles,
                                state_before, asked=session.dialogue.count)
    return CaseResult(case.id, case.message, precision, wrong, turn.parser or "rules",
                      bool(understood and understood.invalid), round(turn.seconds, 4),
                      understood.raw if understood is not None else "",
                      catalogue_ceiling(case, engine.catalog, engine.titles, asked=session.dialogue.count))


def run_rows(engines: dict, cases: Sequence[Case], progress: bool = True) -> list[RowResult]:
    """Every case through every engine ({mode: ChatEngine}), modes in order."""
    from tqdm.auto import tqdm

    rows = []
    for mode, engine in engines.items():
        row = RowResult(mode)
        for case in tqdm(cases, desc=ROWS[mode], unit="message", disable=not progress):
            row.cases.append(run_case(engine, case))
        rows.append(row)
    return rows


def format_markdown(rows: Sequence[RowResult], header: str = "") -> str:
    summaries = [r.summary() for r in rows]
    lines = [header, "", "| | precision@10 (ceiling) | all fields right | invalid outputs | median s to list | p90 s |",
             "|---|---:|---:|---:|---:|---:|"]
    for s in summaries:
        lines.append(f"| {s['row']} | {s['precision_at_10']:.3f} ({s['catalogue_ceiling']:.3f}) | "
                     f"{s['all_fields_right']:.3f} | "
                     f"{s['invalid_outputs']} of {s['llm_calls']} | {s['median_seconds_to_list']} | "
                     f"{s['p90_seconds_to_list']} |")
    lines += ["", "Field accuracy:", "", "| field | " + " | ".join(s["row"] for s in summaries) + " |",
              "|---|" + "---:|" * len(summaries)]
    for f in FIELDS:
        lines.append(f"| {f} | " + " | ".join(f"{s['field_accuracy'][f]:.3f}" for s in summaries) + " |")
    lines += ["", "Ceiling: the precision@10 a perfect list would score, below 1 where the catalogue holds fewer "
              "fitting films than the list shows (six science-fiction films of the 1970s in ML-100k)."]
    return "\n".join(lines).strip() + "\n"


def to_json(rows: Sequence[RowResult]) -> dict:
    return {r.mode: {"summary": r.summary(), "cases": [asdict(c) for c in r.cases]} for r in rows}
