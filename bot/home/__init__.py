"""App Home: each person's to-dos, digest settings and next digest; for admins, the week's
unanswered questions and how to add documents."""
