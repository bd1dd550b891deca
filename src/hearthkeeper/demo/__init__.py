"""Material for `hearth demo`: a short conversation in the skin-care community."""
