"""Test support only: the shared personas, the access matrix and helpers the tests share.

Nothing in production code imports this package; it may import every app, because it
stands above all of them.
"""
