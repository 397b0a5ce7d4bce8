"""The answer per target, in a few fields: what the matrix pages (and a front page) open with.

One row per target with std evidence in the run: its answer (harness/report/assessment.py),
how many blockers and the first one's headline, the reference runtime and its version, and
where its dossier is. Targets with only wasi-testsuite's tests have no answer (no std evidence).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.assessment import Assessment, assess, headline
from harness.report.history import History
from harness.report.text import html_text as escape
from harness.results.store import Results


@dataclass(frozen=True)
class TargetAnswer:
    target: str
    toolchain: str
    answer: str  # one of assessment.ANSWERS
    blockers: int
    first_blocker: str  # the first blocker's headline, "" without one
    reference: str | None  # the reference runtime, None when none ran the target
    reference_version: str
    not_measured: tuple[str, ...]  # ids of the requirements without data in this run
    unjudged: int  # cells the harness could not judge
    assessment: Assessment

    def dossier(self, ext: str = "html") -> str:
        """The dossier's path, relative to the reports folder."""
        return f"evidence/{self.target}.{ext}"

    @property
    def why(self) -> str:
        """In a few words, what decided the answer."""
        if self.blockers:
            return f"{self.blockers} blocker{'s' if self.blockers > 1 else ''}; first: {self.first_blocker}"
        if self.unjudged:
            return f"the harness could not judge {self.unjudged} cell{'s' if self.unjudged > 1 else ''}"
        if self.not_measured:
            return f"not measured in this run: {', '.join(self.not_measured)}"
        caveats = len(self.assessment.caveats)
        if caveats:
            return f"{caveats} caveat{'s' if caveats != 1 else ''}"
        return "every measured requirement met"


def target_answers(results: Results, history: History | None = None) -> list[TargetAnswer]:
    """The answer of every target of the run that has std evidence, in the run's target order."""
    out = []
    for target in results.targets:
        found = assess(results, target, history)
        if found is None:
            continue
        evidence = found.evidence
        reference = evidence.reference.runtime
        out.append(TargetAnswer(
            target, evidence.toolchain, found.answer, len(found.blockers),
            headline(found.blockers[0].text) if found.blockers else "", reference,
            evidence.version_of(reference) if reference else "",
            tuple(r.id for r, _ in found.not_measured), sum(len(f.cells) for f in found.unjudged), found))
    return out


def markdown_lines(answers: list[TargetAnswer]) -> list[str]:
    """The answers as a Markdown table, each target linked to its dossier."""
    lines = ["| target | answer | why | reference runtime | toolchain |", "|---|---|---|---|---|"]
    for a in answers:
        why = a.why.replace("|", "\\|")
        reference = f"{a.reference} ({a.reference_version})" if a.reference else "none ran it"
        lines.append(f"| [{a.target}]({a.dossier('md')}) | **{a.answer}** | {why} | {reference} | "
                     f"{a.toolchain} |")
    return lines


def html_table(answers: list[TargetAnswer]) -> str:
    """The answers as an HTML table, each target linked to its dossier."""
    rows = []
    for a in answers:
        reference = f"{a.reference} ({a.reference_version})" if a.reference else "none ran it"
        rows.append(f'<tr data-answer="{escape(a.answer)}"><th><a href="{escape(a.dossier())}">'
                    f"{escape(a.target)}</a></th><td><strong>{escape(a.answer)}</strong></td>"
                    f"<td>{escape(a.why)}</td><td>{escape(reference)}</td><td>{escape(a.toolchain)}</td></tr>")
    return ('<table class="answers"><thead><tr><th>target</th><th>answer</th><th>why</th>'
            "<th>reference runtime</th><th>toolchain</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
