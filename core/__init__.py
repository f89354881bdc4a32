"""The shared vocabulary of the directive assistant: types, text helpers, errors, settings.

Imports nothing else of the project and has no import side effects."""
