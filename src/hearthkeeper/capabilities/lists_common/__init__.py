"""What sign-up lists and polls share: who may start them, deadlines as people write them,
reading a command's words, the replies an effect answers with, and the queries on "the group's
open one". Not a capability of its own (it is not in `installed.CAPABILITIES`)."""
