"""Tests of the Matrix carrier (src/hearthkeeper/carriers/matrix/); `-m matrix` ones start Synapse."""
