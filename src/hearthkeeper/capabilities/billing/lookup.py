"""Finding a community and the playbook it runs, for the CLI, the console, the API and the
payment webhooks (these by slug only)."""

from __future__ import annotations

from hearthkeeper.apply import community_playbook
from hearthkeeper.capabilities.billing.ledger import BillingError
from hearthkeeper.playbook import Playbook
from hearthkeeper.playbook.suggest import did_you_mean
from hearthkeeper.store import Community, Store
from hearthkeeper.store.records import find_community, several_meant


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
    several = several_meant(communities, slug)
    if several is not None:
        raise BillingError(several)
    if found is None:
        near = did_you_mean(slug.strip(), [n for c in communities for n in (c.slug, c.name)])
        raise BillingError(f"no community {slug!r} (there are: {names})"
                           f"{near or '; `hearth apply` its playbook first'}")  # fmt: skip
    return found


def community_by_slug(store: Store, slug: str) -> Community:
    """The community whose slug is exactly `slug`, for a payment webhook's address: a name
    (or a slug in other case) is refused, since names change whenever a playbook is applied
    and an address written with one could later name another community. The refusal says
    which exist and the slug nearest to, or named by, what was typed."""
    communities = store.list_communities()
    found = next((c for c in communities if c.slug == slug), None)
    if found is not None:
        return found
    names = ", ".join(c.shown for c in communities) or "none yet"
    meant = find_community(communities, slug)
    near = (f"; did you mean {meant.slug!r}? (a webhook address takes the slug)"
            if meant is not None else did_you_mean(slug.strip(), [c.slug for c in communities]))  # fmt: skip
    raise BillingError(f"no community {slug!r} (there are: {names})"
                       f"{near or '; `hearth apply` its playbook first'}")  # fmt: skip


def playbook_of(store: Store, community: Community) -> Playbook | None:
    """The playbook version the community runs (None before one is applied)."""
    return community_playbook(store, community.id)
