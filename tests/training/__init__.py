# A package, so that this folder's helper modules are imported by relative name (from .conftest import ...).
