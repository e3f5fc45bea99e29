"""Prints the hostile-upload tally (tests/security/test_upload_corpus.py) at the end of a run."""


def pytest_terminal_summary(terminalreporter):
    from .test_upload_corpus import NEUTRALISED, REFUSED, TALLY

    if not TALLY:
        return
    terminalreporter.section("hostile uploads: each file against each upload field")
    files = sorted({label for outcomes in TALLY.values() for label in outcomes})
    width = max(len(label) for label in TALLY)
    terminalreporter.write_line(f"{'upload field':<{width}}  refused  neutralised  files")
    for label, outcomes in TALLY.items():
        refused = sum(outcome == REFUSED for outcome in outcomes.values())
        neutralised = sum(outcome == NEUTRALISED for outcome in outcomes.values())
        terminalreporter.write_line(f"{label:<{width}}  {refused:>7}  {neutralised:>11}  {len(outcomes):>5}")
    total = sum(len(outcomes) for outcomes in TALLY.values())
    terminalreporter.write_line(f"{len(TALLY)} fields x {len(files)} files: {total} uploads, none accepted as sent")
    accepted = sorted({label for outcomes in TALLY.values() for label, o in outcomes.items() if o == NEUTRALISED})
    if accepted:
        terminalreporter.write_line(f"stored after neutralising: {', '.join(accepted)}")
