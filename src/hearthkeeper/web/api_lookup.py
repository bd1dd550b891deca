"""The community an API address names (`/api/v1/communities/{slug}/…`), found the same way by
every endpoint, the core API's and the capabilities' (billing's orders and subscriptions)."""

from __future__ import annotations

from fastapi import HTTPException

from hearthkeeper.store import Community, Store
from hearthkeeper.store.records import find_community, several_meant
from hearthkeeper.text.controls import quoted
from hearthkeeper.web.slashed import named


def api_community(store: Store, slug: str) -> Community:
    """The community `slug` names: its slug, else its name, whatever the case
    (`find_community`, as every command's `--community`); else a 404 saying where the
    communities are listed. A name holding `/` is written `%2F` in the address (`slashed`)."""
    slug = named(slug)
    found = store.get_community(slug)
    if found is not None:
        return found
    communities = store.list_communities()
    found = find_community(communities, slug)
    if found is None:
        several = several_meant(communities, slug)
        said = f"There is no community {quoted(slug)}" if several is None else several
        raise HTTPException(404, detail=f"{said} (see /api/v1/communities).")
    return found
