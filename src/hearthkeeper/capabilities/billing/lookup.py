"""Finding a community and the playbook it runs, for the CLI, the console and the API."""

from __future__ import annotations

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.store import Community, Store
from hearthkeeper.store.records import find_community


def community_of(store: Store, slug: str | None) -> Community:
    """The community `slug` names (its slug or its name, as `--community` takes them), or the
    only one; `BillingError` saying which exist otherwise, as `slug (name)` like the CLI's
    refusals (`cli.context.unknown_community`)."""
    communities = store.list_communities()
    names = ", ".join(c.shown for c in communities) or "none yet"
    if slug is None:
        if len(communities) == 1:
            return communities[0]
        raise BillingError(f"say which community with --community (there are: {names})")
    found = find_community(communities, slug)
    if found is None:
        near = did_you_mean(slug.strip(), [n for c in communities for n in (c.slug, c.name)])
        raise BillingError(f"no community {slug!r} (there are: {names})"
                           f"{near or '; `hearth apply` its playbook first'}")  # fmt: skip
    return found


def playbook_of(store: Store, community: Community) -> Playbook | None:
    """The playbook version the community runs (None before one is applied)."""
    return community_playbook(store, community.id)
