"""Helm conformance suite: every (chart, case) rendered by Helm's real engine and by
`hoist template … --output json` must give byte-identical files, or the same error message.

See README.md beside this file for how to add a case.
"""

from __future__ import annotations

import difflib
import subprocess

import pytest

import caselib

CASES = caselib.discover_cases()
IDS = [case.id for case in CASES]
KNOWN_DIFFERENCES = caselib.read_known_differences()
unknown = set(KNOWN_DIFFERENCES) - set(IDS)
assert not unknown, f"known-differences.txt names cases that do not exist: {sorted(unknown)}"


def hoist_params() -> list:
    """Cases for the hoist comparison; documented known gaps run as strict xfail."""
    params = []
    for case in CASES:
        marks = []
        if case.id in KNOWN_DIFFERENCES:
            marks.append(pytest.mark.xfail(reason=KNOWN_DIFFERENCES[case.id], strict=True))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


def render_with_helm(case: caselib.Case) -> caselib.Outcome:
    return caselib.helm_render(case.chart_dir, [case.values_file], case.sets, args=case.args)


@pytest.fixture(scope="session")
def helm_outcomes() -> dict[str, caselib.Outcome]:
    """All Helm renders, done once in this process (chart loaded afresh for each)."""
    return {case.id: render_with_helm(case) for case in CASES}


@pytest.fixture(scope="session")
def hoist_binary():
    binary = caselib.hoist_bin()
    if not binary.exists():
        pytest.skip(f"{binary} not built (run `cargo build --release -p hoist` or hack/test.sh)")
    probe = subprocess.run(
        [str(binary), "template", "--help"], capture_output=True, text=True, check=False
    )
    if caselib.is_placeholder(probe):
        pytest.skip("`hoist template` is not yet implemented (placeholder binary)")
    return binary


def clip(text: str, limit: int = 4000) -> str:
    """Long messages (e.g. Helm's recursion error) are shown head and tail only."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}\n[… {len(text) - limit} characters …]\n{text[-limit // 2:]}"


def describe(outcome: caselib.Outcome) -> str:
    if outcome.error is not None:
        return f"error: {outcome.error}"
    return f"{len(outcome.files or {})} file(s)"


def diff_files(expected: dict[str, str], actual: dict[str, str]) -> str:
    """A unified diff per differing file, plus the files only one side produced."""
    parts = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            parts.append(f"--- missing from hoist: {path}\n{expected[path]}")
            continue
        if path not in expected:
            parts.append(f"+++ not produced by helm: {path}\n{actual[path]}")
            continue
        if expected[path] == actual[path]:
            continue
        diff = difflib.unified_diff(
            expected[path].splitlines(keepends=True),
            actual[path].splitlines(keepends=True),
            fromfile=f"helm/{path}",
            tofile=f"hoist/{path}",
        )
        text = "".join(line if line.endswith("\n") else line + "\n\\ no newline at end\n" for line in diff)
        if not text:
            # Same lines but different bytes elsewhere (should not happen); show reprs.
            text = f"helm:  {expected[path]!r}\nhoist: {actual[path]!r}\n"
        parts.append(text)
    return "\n".join(parts)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_helm_oracle_expectation(case: caselib.Case, helm_outcomes) -> None:
    """The case does what its name promises under Helm: `err-*` cases fail, others render.
    Guards the suite itself (a chart typo would otherwise make a useless 'error' case)."""
    outcome = helm_outcomes[case.id]
    # A case whose Helm output varies between runs (e.g. several schema errors, which Helm lists
    # in random order) cannot be compared byte for byte: catch that here, not as a flaky hoist test.
    assert render_with_helm(case) == outcome, f"{case.id}: Helm's output is not deterministic"
    if case.expects_error:
        assert outcome.error is not None, f"{case.id} should fail under Helm but rendered"
    else:
        assert outcome.error is None, f"{case.id} should render under Helm: {outcome.error}"


@pytest.mark.parametrize("case", hoist_params())
def test_hoist_matches_helm(case: caselib.Case, helm_outcomes, hoist_binary) -> None:
    # pytest.fail rather than assert: the message (a unified diff) is the useful part and
    # pytest's own comparison of two big dicts would only add noise.
    expected = helm_outcomes[case.id]
    actual, proc = caselib.hoist_render(case, hoist_binary)
    command = " ".join(caselib.hoist_command(case, hoist_binary))
    if expected.error is not None:
        if actual.error is None:
            pytest.fail(
                f"helm failed but hoist rendered {describe(actual)}\n"
                f"command: {command}\nhelm error: {clip(expected.error)}",
                pytrace=False,
            )
        if proc.returncode != 1:
            pytest.fail(f"hoist exit code {proc.returncode}, want 1\ncommand: {command}", pytrace=False)
        if actual.error != expected.error:
            pytest.fail(
                f"error messages differ\ncommand: {command}\n"
                f"helm:  {clip(expected.error)}\nhoist: {clip(actual.error)}",
                pytrace=False,
            )
        return
    if actual.error is not None:
        pytest.fail(
            f"hoist failed (exit {proc.returncode}) where helm rendered {describe(expected)}\n"
            f"command: {command}\nhoist error: {clip(actual.error)}",
            pytrace=False,
        )
    if actual.files != expected.files:
        pytest.fail(
            f"rendered files differ\ncommand: {command}\n"
            f"{diff_files(expected.files or {}, actual.files or {})}",
            pytrace=False,
        )
