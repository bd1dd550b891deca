"""Sign-up lists and group-buys (接龙): parsing, the engine on both databases, the race for the last item, the CLI export."""
