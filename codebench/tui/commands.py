"""Command palette: every action bound on the current screen (and the app), searchable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionsProvider(Provider):
    """Offers each binding of the screen the palette was opened over, by its description."""

    def _commands(self) -> list[tuple[str, str, object]]:
        out, seen = [], set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.action not in seen:
                seen.add(binding.action)
                run = partial(self.app.run_action, binding.action, active.node)
                key = self.app.get_key_display(binding)
                out.append((f"{binding.description} ({key})", active.tooltip or binding.tooltip, run))
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
