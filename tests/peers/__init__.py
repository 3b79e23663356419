"""Peer scenarios: the resolving scenarios of apt's and libsolv's own test suites, translated
into resolver cases (``fixtures/resolver-cases/peers/``).

``python -m tests.peers apt CHECKOUT`` reads ``test/integration`` of an apt checkout,
``python -m tests.peers libsolv CHECKOUT`` reads ``test/testcases`` of a libsolv checkout; each
writes its YAML file of cases and of the scenarios it skipped, with the reason.
"""
