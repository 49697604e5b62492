"""Each owner's morning: the digest (collected, rendered, scheduled, sent once) and the to-do list behind it."""
