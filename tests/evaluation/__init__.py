# A package, so that pytest imports this folder's conftest.py as `evaluation.conftest`: a second top-level
# module named `conftest` would replace the root one in sys.modules and break `from conftest import ...`
# in test folders collected after this one.
