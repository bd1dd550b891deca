"""Tests of the carrier plug-ins, one folder each, mirroring src/hearthkeeper/carriers/."""
