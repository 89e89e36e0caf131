"""Categories, themes and harmonised codes (the team's codebook)."""

from __future__ import annotations

from sqlalchemy import func, select

from codebench.store import models as m
from codebench.store.repo_base import RepoBase


class CodebookRepo(RepoBase):
    def categories(self) -> list[str]:
        return list(self.session.scalars(select(m.Category.name).order_by(m.Category.position, m.Category.name)))

    def ensure_categories(self, names: list[str]) -> None:
        have = set(self.categories())
        position = self.session.scalar(select(func.max(m.Category.position))) or 0
        for name in names:
            if name not in have:
                position += 1
                self.session.add(m.Category(name=name, position=position))
        self.session.flush()

    def code_groups(self) -> dict[str, dict[str, str]]:
        """Harmonised code -> its theme and category names: {"theme": {...}, "category": {...}}."""
        rows = self.session.execute(
            select(m.HarmonisedCode.name, m.Theme.name, m.Category.name)
            .outerjoin(m.Theme, m.Theme.id == m.HarmonisedCode.theme_id)
            .outerjoin(m.Category, m.Category.id == m.Theme.category_id)
        )
        groups: dict[str, dict[str, str]] = {"theme": {}, "category": {}}
        for code, theme, category in rows:
            if theme:
                groups["theme"][code] = theme
            if category:
                groups["category"][code] = category
        return groups
