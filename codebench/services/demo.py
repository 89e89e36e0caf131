"""Build the demo project from the bundled sample study."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codebench.services import codings as codings_service
from codebench.services import harmonise
from codebench.services import transcripts as transcripts_service
from codebench.services.coders import add_coders
from codebench.services.project import init_project
from codebench.store.engine import sqlite_path
from codebench.store.store import Store

DEMO_CODERS = ["ana", "ben", "chloe"]
DEMO_GLOSSARY = {"bo": "bayesian optimization", "hpo": "hyperparameter optimization", "gpu": "compute"}


def sample_dir() -> Path:
    return Path(str(resources.files("codebench.sample_transcripts")))


@dataclass(frozen=True)
class DemoProject:
    url: str
    store: Store
    transcripts: int
    codings: int


def build_demo(folder: Path, progress: Callable[[int, int, str], None] | None = None) -> DemoProject:
    """A fresh project in ``folder/codebench.db``: samples, attributes, three coders' codings."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(folder / 'codebench.db').resolve()}"
    path = sqlite_path(url)
    for suffix in ("", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()
    store, _ = init_project(url)
    samples = sample_dir()
    add_coders(store, DEMO_CODERS)
    interviews = [p for p in sorted(samples.iterdir())
                  if p.suffix.lower() in transcripts_service.SUFFIXES and p.stem.upper() != "README"]
    outcomes = transcripts_service.import_transcripts(store, interviews, progress=progress)
    transcripts_service.import_attributes(store, samples / "participants.csv")
    stored = 0
    for csv_file in sorted((samples / "codings").glob("*.csv")):
        stored += codings_service.import_codings(store, csv_file).stored
    harmonise.set_glossary(store, DEMO_GLOSSARY)
    harmonise.import_codebook(store, samples / "codebook.csv", by="demo")
    return DemoProject(url=url, store=store, transcripts=len(outcomes), codings=stored)
