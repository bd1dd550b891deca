"""Tests of the capability packages, one folder each, mirroring src/hearthkeeper/capabilities/."""
