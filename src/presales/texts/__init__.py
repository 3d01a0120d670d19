"""Text by meaning: index, search, classify and group everything the team writes.

The public API for other apps is ``presales.texts.services`` (search, labels, themes, similar
deals) and ``presales.texts.sources`` (register a new kind of text).
"""
