"""Git subtree experiment (TS-001 sub-question 2, H3): DDX's sync operations and their
alternatives, each timed on a fresh hard-linked copy of pristine repositories.

ddxspike/repos/subtree_fixtures.py builds the pristine repositories (upstream library, advanced
upstream, host project with and without the library); workspace.py makes and measures the throw-away copies;
operations.py holds the timed operations (one strategy function each): DDX's own binary
(ddxbin.py), Python models of its git plumbing (ddx.py), git subtree itself and alternatives,
among them the release-tarball route DDX took later; verify.py checks each result against the
ground truth; cell.py runs one (size, commits) cell through the engine.
"""
