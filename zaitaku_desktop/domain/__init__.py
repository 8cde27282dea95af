"""Pure-Python core: vocabularies, value objects, validation, text and date helpers.

Nothing in this package imports Qt, SQLAlchemy or any other layer of the program.
"""
