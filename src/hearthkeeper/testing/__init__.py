"""Test helpers that ship with the package: a fake carrier and event builders. No network."""

from hearthkeeper.testing.builders import EventBuilder
from hearthkeeper.testing.fake_carrier import FakeCarrier, FakeTogetherCarrier

__all__ = ["EventBuilder", "FakeCarrier", "FakeTogetherCarrier"]
