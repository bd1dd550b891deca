"""Material for `hearth demo`: the simulated members who chat in the demo's web chat groups."""
