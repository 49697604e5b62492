"""Customer feedback: filing it from `/ops feedback` and the message shortcut, its cards and buttons, routing, stats, export."""
