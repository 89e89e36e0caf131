"""A small realistic project for the export, interop and report tests, built through the CLI.

Two transcripts (tests/fixtures/study), three coders, labels with commas, quotes, accents and a
leading ``=``, memos with newlines, three harmonised codes in two themes, four raw codes left
unharmonised. The expected counts are worked out by hand in the comments below.
"""

from __future__ import annotations

from pathlib import Path

from codebench.domain.csvsafe import write_csv

STUDY = Path(__file__).parent / "fixtures" / "study"

TRICKY_CODE = '=cost, "GPU" café'
TRICKY_RAW = '=budget, "GPU" hours'
TRICKY_DEFINITION = "Time and money\nspent on tuning; naïve estimates"
RANDOM_DEFINITION = 'Sampling configurations "at random", then =keep the best'

# chloe's codings (the others are in tests/fixtures/study/codings.csv)
CHLOE = [
    ["T01", "chloe", TRICKY_RAW, "Grid search wastes too many GPU hours", "costly\nthe cluster is shared"],
    ["T02", "chloe", "optimisation bayésienne", "We tried Bayesian optimisation because the runs were expensive", ""],
    ["T02", "chloe", "team trust", "The team trusted it because a colleague had used the same library before.", ""],
]

# harmonised code -> (coders, transcripts, codings), counted by hand from the codings
EXPECTED_COUNTS = {
    "random search": (2, 1, 2),  # ana + ben, both in T01
    "Bayesian optimisation": (3, 1, 3),  # ana, ben, chloe, all in T02
    TRICKY_CODE: (2, 2, 3),  # ana T01 + T02, chloe T01
}
UNHARMONISED = {("ana", "manual tuning"), ("ben", "hand tuning"), ("ben", "reproducibility"), ("chloe", "team trust")}
N_CODINGS = 12


def import_study(cli, tmp_path: Path) -> None:  # noqa: ANN001 - tests.conftest.Cli
    """Transcripts, attributes and all three coders' codings, without harmonisation."""
    cli("init")
    cli("import", STUDY / "T01.txt", STUDY / "T02.txt")
    attributes = tmp_path / "participants.csv"
    write_csv([["T01", "academia", "senior"], ["T02", "industry", "junior"]], ["transcript", "field", "level"],
              attributes)
    cli("attributes", "import", attributes)
    cli("codings", "import", STUDY / "codings.csv", "--add-coders")
    chloe = tmp_path / "chloe.csv"
    write_csv(CHLOE, ["transcript", "coder", "code", "quote", "memo"], chloe)
    cli("codings", "import", chloe, "--add-coders")


def build_study(cli, tmp_path: Path) -> None:  # noqa: ANN001 - tests.conftest.Cli
    """The imported study, harmonised: three codes, two themes in two categories."""
    import_study(cli, tmp_path)
    cli("harmonise", "merge", "ana:random search", "ben:random sampling", "--into", "random search",
        "--definition", RANDOM_DEFINITION)
    cli("harmonise", "merge", "ana:bayesian optimisation", "ben:BO", "chloe:optimisation bayésienne",
        "--into", "Bayesian optimisation")
    cli("harmonise", "merge", "ana:compute budget", f"chloe:{TRICKY_RAW}", "--into", TRICKY_CODE,
        "--definition", TRICKY_DEFINITION)
    cli("theme", "add", "search methods", "--category", "methods")
    cli("theme", "add", "resources", "--category", "contextual factors")
    cli("theme", "assign", "random search", "Bayesian optimisation", "--theme", "search methods")
    cli("theme", "assign", TRICKY_CODE, "--theme", "resources")
