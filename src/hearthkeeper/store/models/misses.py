"""What is counted per key in the store (`store/misses.py`): a `/ticket/` code nobody holds,
a failed console sign-in, a web chat join, nickname change or upload, a Matrix join page's
invitation or lookup. Every process serving
the pages counts the same rows, and a restart forgets none; a row lives as long as its
window."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, text
from sqlalchemy.orm import Mapped, mapped_column

from hearthkeeper.store.columns import SafeString, UTCDateTime
from hearthkeeper.store.models.base import BIG_ID, Base


class NetworkMissRow(Base):
    """One use counted (`what`: "ticket", "signin", "join", …) against a key — a client
    network, a username, a member — kept as a digest (`network`); `amount`: how much it
    took (an upload's bytes; 1 for the rest)."""

    __tablename__ = "network_misses"
    __table_args__ = (
        Index("ix_network_misses_what_network_at", "what", "network", "at"),
        Index("ix_network_misses_at", "at"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    what: Mapped[str] = mapped_column(SafeString(32))
    network: Mapped[str] = mapped_column(SafeString(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(BigInteger, server_default=text("1"))
